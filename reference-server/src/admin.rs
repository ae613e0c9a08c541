//! The operator's surface, answered to loopback peers only:
//! `POST /admin/clients/{client_id}/revoke` invalidates every code, access
//! token and refresh token of one client at once, keeping the client
//! registered (RFC 7592 `DELETE` does the same and removes the client).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::state::AppState;
use crate::{audit, oauth, responses};

/// `POST /admin/clients/{client_id}/revoke`
pub(crate) async fn revoke_client(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Response {
    let (parts, _body) = request.into_parts();
    if parts.method != Method::POST {
        return responses::method_not_allowed("POST");
    }
    // Only from this machine: the admin surface has no credentials of its
    // own, so the network is its boundary.
    if !audit::peer_addr(&parts).is_some_and(|a| a.ip().is_loopback()) {
        return oauth::error_json(
            StatusCode::FORBIDDEN,
            "access_denied",
            "The admin surface answers loopback clients only",
        );
    }
    let id = parts
        .uri
        .path()
        .strip_prefix("/admin/clients/")
        .and_then(|rest| rest.strip_suffix("/revoke"))
        .unwrap_or("");
    let mut store = state.store.lock();
    if store.client(id).is_none() {
        return responses::not_found();
    }
    let (access, refresh) = store.revoke_client_tokens(id);
    drop(store);
    state.audit(json!({
        "event": "client_revoked",
        "peer": audit::peer(&parts),
        "client_id": id,
        "access_tokens": access,
        "refresh_tokens": refresh,
    }));
    responses::json(
        StatusCode::OK,
        &json!({"client_id": id, "revoked_access_tokens": access, "revoked_refresh_tokens": refresh}),
    )
}
