//! Protocol pieces shared by the steps and the checks: challenge parsing, well-known URL
//! construction and URL rules. Pure functions; no I/O.

pub mod challenge;
pub mod cimd;
pub mod pkce;
pub mod urls;
pub mod wellknown;
