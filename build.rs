//! Reads the embedded suite files once, at build time, into the compact listing `authspec list`
//! prints from (ids, titles, levels, parties, requirements, mutants, revisions, tags), so that
//! listing the cases does not parse YAML. Everything else loads and checks the suites at run
//! time; a unit test keeps this listing equal to what the loader reads.

use std::fmt::Write as _;
use std::path::Path;

/// The position type `src/suite/yaml.rs` reports (the build script's copy of `vocab::Pos`).
mod vocab {
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Pos {
        pub line: usize,
        pub col: usize,
    }
}

#[path = "src/suite/yaml.rs"]
#[allow(dead_code)]
mod yaml;

use serde_json::Value;

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

fn main() {
    println!("cargo:rerun-if-changed=suites");
    println!("cargo:rerun-if-changed=src/suite/yaml.rs");
    let mut files: Vec<_> = std::fs::read_dir("suites")
        .expect("suites/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    let mut compiled = String::from("&[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let source = std::fs::read_to_string(path).expect("suite file");
        let name = format!(
            "suites/{}",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
        );
        // A file that does not parse is left out: the loader reports it (with its position)
        // and the listing test fails.
        let Ok((v, spans)) = yaml::parse(&source) else {
            continue;
        };
        compiled_suite(&name, &v, &spans, &mut compiled);
        // One record per line of the listing (\x1d apart), its fields \x1f apart, list items
        // \x1e apart: YAML text holds none of these control characters, so nothing needs
        // escaping, and the listing is one string (a table of string slices would be
        // relocated at every start of the binary).
        let fields = |items: &[String]| items.join("\u{1f}");
        let mut listed = fields(&[
            text(v.get("suite")),
            text(v.get("title")),
            text(v.get("party")),
        ]);
        for c in v
            .get("cases")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            listed.push('\u{1d}');
            listed.push_str(&fields(&[
                text(c.get("id")),
                text(c.get("title")),
                text(c.get("level")),
                text(c.get("party")),
                yaml::str_list(c.get("requirements")).join("\u{1e}"),
                yaml::str_list(c.get("mutants")).join("\u{1e}"),
                yaml::str_list(c.get("spec")).join("\u{1e}"),
                yaml::str_list(c.get("tags")).join("\u{1e}"),
            ]));
        }
        let _ = writeln!(out, "    ({name:?}, {listed:?}),");
    }
    out.push_str("]\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("listing.rs");
    std::fs::write(dest, out).expect("write the listing");
    compiled.push_str("]\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("compiled.rs");
    std::fs::write(dest, compiled).expect("write the compiled suites");
}

/// One suite as the loader reads it, worked out now so that a run parses JSON, not YAML: the
/// JSON text (in its own file, included as a string) and where each mapping and sequence
/// starts, for the positions the model keeps.
fn compiled_suite(name: &str, value: &Value, spans: &yaml::SpanMap, out: &mut String) {
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    let json_name = format!("{}.json", name.replace('/', "_"));
    std::fs::write(
        Path::new(&out_dir).join(&json_name),
        serde_json::to_string(value).expect("a suite is JSON"),
    )
    .expect("write a compiled suite");
    let positions_name = format!("{}.positions", name.replace('/', "_"));
    let mut positions = String::new();
    // A key with a tab or a line break in it would break the line; its node is then found at
    // its parent's position (only an error message could show the difference).
    for (pointer, pos) in spans.containers(value) {
        if !pointer.contains(['\t', '\n', '\r']) {
            let _ = writeln!(positions, "{pointer}\t{}\t{}", pos.line, pos.col);
        }
    }
    std::fs::write(Path::new(&out_dir).join(&positions_name), positions)
        .expect("write a suite's positions");
    let _ = writeln!(
        out,
        "    ({name:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/{json_name}\")), \
         include_str!(concat!(env!(\"OUT_DIR\"), \"/{positions_name}\"))),"
    );
}
