//! Protocol pieces shared by the steps and the checks: challenge parsing, well-known URL
//! construction, URL rules and deliberately mis-signed tokens. Pure functions; no I/O.

pub mod challenge;
pub mod cimd;
pub mod jose;
pub mod pkce;
pub mod urls;
pub mod wellknown;
