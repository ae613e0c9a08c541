//! The transcript: one recorded, redacted HTTP exchange. The HTTP layer fills it, the result
//! model holds it and the reporters read it, so none of them needs the others' types.

use serde::{Deserialize, Serialize};

/// One recorded, redacted HTTP exchange.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Exchange {
    /// The named block (step) this exchange belongs to.
    pub block: String,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    pub elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Exchange {
    /// The values of every response header named `name` (case-insensitive), in order.
    pub fn response_headers_named<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e str> {
        self.response_headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
