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
