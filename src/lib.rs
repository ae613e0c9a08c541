//! authspec: a conformance test harness for MCP authorization.
//!
//! The house, bottom up (a module imports only those above it in this list, never below):
//!
//! ```text
//! vocab, transcript   the shared words (Level, SpecRevision, Party, WireModel, Pos) and the
//!                     recorded exchange; they import nothing of the project
//! requirements        the embedded requirement catalogue
//! oauth               protocol pieces: PKCE, challenge parser, well-known URLs, URL rules, JOSE
//! http                the client: timeouts, size limits, redirect policy, redaction, transcript
//! checks              subjects and predicates: the assertion vocabulary
//! suite               suite files: loading with positions, the model, step actions, selection
//! result              case results, findings, the run report, exit codes
//! actions             protocol actions over http: discovery, registration, authorization,
//!                     token, MCP calls, metadata documents, the happy-path walker
//! engine              the run: scheduling, deadline, events, and judge
//! report              one Reporter per format, the baseline
//! selftest            cases against the bundled reference server and its mutants
//! plan                what a command settles before a run: target, HTTP options, jobs, deadline
//! demo                the narrated walk of `authspec demo`
//! client_conformance  `authspec client`: observing servers, the traffic model, the mock client
//! config, cli         profiles and the commands, each a thin mapping onto the above
//! ```
//!
//! The reference server is its own crate (`reference-server/`) and imports nothing from here.

pub mod actions;
pub mod checks;
pub mod cli;
pub mod client_conformance;
pub mod config;
pub mod demo;
pub mod engine;
pub mod http;
pub mod oauth;
pub mod plan;
pub mod report;
pub mod requirements;
pub mod result;
pub mod selftest;
pub mod suite;
pub mod transcript;
pub mod vocab;
