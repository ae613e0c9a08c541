//! RFC 6750 / RFC 9728 error responses of the resource server: status code,
//! `WWW-Authenticate: Bearer` challenge and body, including the challenge
//! mutants.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::responses;
use crate::state::{AppState, PRM_PATH, PRM_ROOT_PATH};
use crate::{Mutant, Variant};

const INVALID_TOKEN_DESCRIPTION: &str = "The access token is invalid or has expired";
const BAD_CHARSET_DESCRIPTION: &str = "token \"x\" invalide \u{e9}";
const INSUFFICIENT_SCOPE_DESCRIPTION: &str = "The access token lacks the required scope";

/// Why the resource server refuses a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// No bearer credentials at all (RFC 6750 §3.1: no error code).
    NoCredentials,
    /// The request is malformed; the text is the error_description.
    InvalidRequest(&'static str),
    InvalidToken,
    InsufficientScope,
}

impl Rejection {
    fn status(self, state: &AppState) -> StatusCode {
        match self {
            Rejection::NoCredentials => StatusCode::UNAUTHORIZED,
            Rejection::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Rejection::InvalidToken if state.has(Mutant::RsInvalidToken403) => {
                StatusCode::FORBIDDEN
            }
            Rejection::InvalidToken => StatusCode::UNAUTHORIZED,
            Rejection::InsufficientScope => StatusCode::FORBIDDEN,
        }
    }

    fn body_error(self) -> &'static str {
        match self {
            Rejection::NoCredentials => "unauthorized",
            Rejection::InvalidRequest(_) => "invalid_request",
            Rejection::InvalidToken => "invalid_token",
            Rejection::InsufficientScope => "insufficient_scope",
        }
    }
}

/// Builds the complete refusal response for `rejection`.
pub(crate) fn reject(state: &AppState, rejection: Rejection) -> Response {
    reject_needing(state, rejection, state.tools_scope())
}

/// [`reject`] for a request whose operation needs `needed`: the challenge names that scope.
pub(crate) fn reject_needing(
    state: &AppState,
    rejection: Rejection,
    needed: &'static str,
) -> Response {
    let status = rejection.status(state);
    let mut response = if state.is(Variant::EmptyErrorBodies) {
        status.into_response()
    } else {
        responses::error(status, rejection.body_error())
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let omit = status == StatusCode::UNAUTHORIZED && state.has(Mutant::ChallengeMissing);
    if !omit {
        let challenge = challenge(state, rejection, status, needed);
        // from_bytes rather than from_str: the bad-charset mutant needs raw
        // UTF-8 (obs-text) in the header.
        if state.is(Variant::SeveralChallenges) && status == StatusCode::UNAUTHORIZED {
            headers.append(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("DPoP algs=\"ES256 PS256\""),
            );
        }
        if let Ok(value) = HeaderValue::from_bytes(challenge.as_bytes()) {
            headers.append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

fn challenge(
    state: &AppState,
    rejection: Rejection,
    status: StatusCode,
    needed: &'static str,
) -> String {
    let bare = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::BAD_REQUEST)
        && state.has(Mutant::ChallengeNoParams);
    if bare {
        return "Bearer".to_owned();
    }

    let mut params: Vec<(&str, String)> = Vec::new();
    let resource_metadata = resource_metadata_url(state, rejection);
    let mut scope: Option<String> = None;
    match rejection {
        Rejection::NoCredentials => {
            if state.has(Mutant::ChallengeErrorWithoutToken) {
                params.push(("error", "invalid_token".to_owned()));
            }
            let varies =
                state.has(Mutant::ChallengeScopeVaries) && state.next_challenge_count() % 2 == 1;
            scope = Some(if varies {
                format!("{needed} mcp:admin")
            } else if state.has(Mutant::PrmOfflineAccess) {
                format!("{needed} offline_access")
            } else {
                needed.to_owned()
            });
        }
        Rejection::InvalidRequest(description) => {
            params.push(("error", "invalid_request".to_owned()));
            params.push(("error_description", description.to_owned()));
        }
        Rejection::InvalidToken => {
            if !state.has(Mutant::ChallengeNoErrorOnBadToken) {
                params.push(("error", "invalid_token".to_owned()));
                let description = if state.has(Mutant::ChallengeBadCharset) {
                    BAD_CHARSET_DESCRIPTION
                } else {
                    INVALID_TOKEN_DESCRIPTION
                };
                params.push(("error_description", description.to_owned()));
            }
            scope = Some(needed.to_owned());
        }
        Rejection::InsufficientScope => {
            params.push(("error", "insufficient_scope".to_owned()));
            params.push((
                "error_description",
                INSUFFICIENT_SCOPE_DESCRIPTION.to_owned(),
            ));
            scope = Some(needed.to_owned());
        }
    }
    if let Some(url) = resource_metadata {
        params.push(("resource_metadata", url));
    }
    if let Some(scope) = scope.filter(|_| !state.has(Mutant::ChallengeNoScope)) {
        if state.has(Mutant::ChallengeDuplicateScope) {
            params.push(("scope", scope.clone()));
        }
        params.push(("scope", scope));
    }

    let rendered: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", quote(value)))
        .collect();
    if rendered.is_empty() {
        "Bearer".to_owned()
    } else {
        format!("Bearer {}", rendered.join(", "))
    }
}

/// Where the challenge tells clients to find the protected resource metadata.
fn resource_metadata_url(state: &AppState, rejection: Rejection) -> Option<String> {
    // MCP 2025-11-25 §10.1.1 asks for resource_metadata with insufficient_scope even where
    // the 401s leave it out.
    let omitted = state.is(Variant::ChallengeWithoutResourceMetadata)
        && rejection != Rejection::InsufficientScope;
    // prm-root-only serves the document where nothing derived from the
    // resource identifier leads, and does not point at it either.
    if state.has(Mutant::PrmNotServed)
        || state.has(Mutant::ChallengeNoResourceMetadata)
        || state.has(Mutant::PrmRootOnly)
        || omitted
    {
        None
    } else if state.has(Mutant::ChallengeResourceMetadataBroken) {
        Some(state.url(&format!("{PRM_ROOT_PATH}/missing")))
    } else if state.is(Variant::MetadataAtRoot) {
        Some(state.url(PRM_ROOT_PATH))
    } else {
        Some(state.url(PRM_PATH))
    }
}

/// RFC 9110 quoted-string.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
