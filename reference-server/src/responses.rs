//! Small response builders shared by every endpoint.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Largest request body any endpoint reads.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;

/// A JSON body with an explicit content type, so mutants can swap it.
pub(crate) fn json_with_type(
    status: StatusCode,
    content_type: &'static str,
    body: &Value,
) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body.to_string(),
    )
        .into_response()
}

pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    json_with_type(status, "application/json", body)
}

pub(crate) fn error(status: StatusCode, code: &str) -> Response {
    json(status, &json!({ "error": code }))
}

pub(crate) fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found")
}

pub(crate) fn payload_too_large() -> Response {
    error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
}

pub(crate) fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

pub(crate) fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response()
}

/// What a crashing web framework typically shows; only mutants send it.
pub(crate) fn server_error_html() -> Response {
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        "<!doctype html><title>500</title><h1>Internal Server Error</h1>\
         <pre>thread 'main' panicked: called `Option::unwrap()` on a `None` value</pre>"
            .to_owned(),
    )
}

/// Marks a response that may be framed, so the shared middleware leaves out
/// `X-Frame-Options` (only the `authorize-frameable` mutant uses it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AllowFraming;

/// HTML-escapes text for element content and quoted attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
