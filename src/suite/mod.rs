//! Suite files: loading (YAML with positions, schema validation, catalogue and mutant checks),
//! the typed model, and selection of the cases to run.
//!
//! - `yaml.rs`: YAML to JSON with a position for every node.
//! - `load.rs`: schema and catalogue checks, the model built from the checked JSON.
//! - `model.rs`: suites, cases, steps, expectations, and the names a step yields.
//! - `actions.rs`: the step-action table (keyword and reader).
//! - `select.rs`: ids, globs, tags, level and revision.

pub mod actions;
pub mod listing;
pub mod load;
pub mod model;
pub mod select;
pub mod yaml;

pub use load::{LoadError, SuiteError, load_embedded, load_file, load_source};
pub use model::{Case, Suite};

/// `(path, text)` of suite files under `suites/`, embedded at build time.
macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$((concat!("suites/", $name), include_str!(concat!("../../suites/", $name)))),*]
    };
}

/// The suites that ship inside the binary, so `authspec run` works from any directory, in the
/// order they run and report (`tests/house.rs` fails when a file under `suites/` is missing).
pub const EMBEDDED: &[(&str, &str)] = embed![
    "rfc9728.yaml",
    "rfc6750-challenge.yaml",
    "mcp-discovery.yaml",
    "rfc8414.yaml",
    "rfc7591.yaml",
    "rfc7592.yaml",
    "cimd.yaml",
    "pkce.yaml",
    "oauth21-code.yaml",
    "oauth21-params.yaml",
    "rfc8707.yaml",
    "mcp-tokens.yaml",
    "oauth21-resource.yaml",
    "rfc9207.yaml",
    "mcp-2026-07-28.yaml",
    "mcp-transport-2025.yaml",
    "tls.yaml",
    "load.yaml",
];

/// Every embedded suite file as the loader reads it, worked out at build time (`build.rs`):
/// `(path, JSON text, where each mapping and sequence starts)`, the last as lines of
/// `pointer<TAB>line<TAB>column`. Running parses this JSON
/// instead of the YAML; a test keeps both readings equal.
pub(crate) const COMPILED: &[(&str, &str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/compiled.rs"));

/// The client-conformance suites (party `client`), run by `authspec client`, never by `run`.
pub const CLIENT_EMBEDDED: &[(&str, &str)] = embed!["client-auth.yaml"];
