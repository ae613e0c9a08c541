//! authspec: a conformance test harness for MCP authorization.
//!
//! Suites (YAML under `suites/`) are loaded into a typed model ([`suite`]), selected, and run
//! by the [`engine`] against any target URL over the [`http`] layer; [`checks`] turn what was
//! observed into findings, which make up the [`result`] model (with the exit codes); [`report`]
//! renders the results. The
//! [`reference`] module runs cases against the bundled reference server and its mutants.

pub mod actions;
pub mod checks;
pub mod cli;
pub mod client;
pub mod clientconf;
pub mod config;
pub mod engine;
pub mod http;
pub mod oauth;
pub mod plan;
pub mod reference;
pub mod report;
pub mod requirements;
pub mod result;
pub mod suite;
pub mod transcript;
pub mod vocab;
