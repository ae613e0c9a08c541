//! `authspec report`: saved JSON reports rendered again, or compared side by side.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::report::ReportContext;
use crate::result::RunReport;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// JSON reports written by `authspec run --report json=…`.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write an HTML page: one report, or all of them compared target by target.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Also render the (first) report in these formats: KIND=PATH, `-` for stdout.
    #[arg(long = "report", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,
}

pub(super) fn cmd_report(a: ReportArgs) -> i32 {
    let catalogue = Catalogue::embedded();
    let mut reports = Vec::new();
    for path in &a.inputs {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                serde_json::from_str::<RunReport>(&t).map_err(|e| format!("line {}: {e}", e.line()))
            });
        match parsed {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!(
                    "error: {} is not an authspec JSON report: {e}",
                    path.display()
                );
                return exit::USAGE;
            }
        }
    }
    let titles: BTreeMap<String, String> = load_suites(&[], &catalogue)
        .map(|s| s.into_iter().map(|s| (s.name, s.title)).collect())
        .unwrap_or_default();
    let mut outputs: Vec<(PathBuf, String)> = Vec::new();
    if let Some(path) = &a.html {
        let page = match reports.as_slice() {
            [one] => report::html::render(one, &titles, &catalogue),
            many => report::html::render_compare(many, &catalogue),
        };
        outputs.push((path.clone(), page));
    }
    let first = &reports[0];
    let cx = ReportContext {
        json_hint: a.inputs.first().and_then(|p| p.to_str()),
        ..ReportContext::new(&titles, &catalogue)
    };
    for (kind, path) in &a.reports {
        outputs.push((path.clone(), kind.reporter().render(first, &cx)));
    }
    if outputs.is_empty() {
        eprintln!("error: nothing to write: give --html PATH or --report KIND=PATH");
        return exit::USAGE;
    }
    for (path, text) in outputs {
        if path.as_os_str() == "-" {
            print_out(&text);
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::RUNTIME;
        }
    }
    exit::OK
}
