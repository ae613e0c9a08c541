//! Suite files: loading (YAML with positions, schema validation, catalogue and mutant checks),
//! the typed model, and selection of the cases to run.

pub mod actions;
pub mod load;
pub mod model;
pub mod select;
pub mod yaml;

pub use load::{LoadError, SuiteError, load_embedded, load_file, load_source};
pub use model::{Case, Suite};

/// The suites that ship inside the binary, so `authspec run` works from any directory.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "suites/rfc9728.yaml",
        include_str!("../../suites/rfc9728.yaml"),
    ),
    (
        "suites/rfc6750-challenge.yaml",
        include_str!("../../suites/rfc6750-challenge.yaml"),
    ),
    (
        "suites/mcp-discovery.yaml",
        include_str!("../../suites/mcp-discovery.yaml"),
    ),
    (
        "suites/rfc8414.yaml",
        include_str!("../../suites/rfc8414.yaml"),
    ),
    (
        "suites/rfc7591.yaml",
        include_str!("../../suites/rfc7591.yaml"),
    ),
    (
        "suites/rfc7592.yaml",
        include_str!("../../suites/rfc7592.yaml"),
    ),
    ("suites/cimd.yaml", include_str!("../../suites/cimd.yaml")),
    ("suites/pkce.yaml", include_str!("../../suites/pkce.yaml")),
    (
        "suites/oauth21-code.yaml",
        include_str!("../../suites/oauth21-code.yaml"),
    ),
    (
        "suites/oauth21-params.yaml",
        include_str!("../../suites/oauth21-params.yaml"),
    ),
    (
        "suites/rfc8707.yaml",
        include_str!("../../suites/rfc8707.yaml"),
    ),
    (
        "suites/mcp-tokens.yaml",
        include_str!("../../suites/mcp-tokens.yaml"),
    ),
    (
        "suites/oauth21-resource.yaml",
        include_str!("../../suites/oauth21-resource.yaml"),
    ),
    (
        "suites/rfc9207.yaml",
        include_str!("../../suites/rfc9207.yaml"),
    ),
    (
        "suites/mcp-2026-07-28.yaml",
        include_str!("../../suites/mcp-2026-07-28.yaml"),
    ),
    ("suites/tls.yaml", include_str!("../../suites/tls.yaml")),
    ("suites/load.yaml", include_str!("../../suites/load.yaml")),
];

/// The client-conformance suites (party `client`), run by `authspec client`, never by `run`.
pub const CLIENT_EMBEDDED: &[(&str, &str)] = &[(
    "suites/client-auth.yaml",
    include_str!("../../suites/client-auth.yaml"),
)];
