//! The axum router: which path is served by which handler, plus the headers
//! and limits every response shares.

use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, any, get};

use crate::listener::Peer;
use crate::state::{AppState, PRM_PATH, PRM_ROOT_PATH};
use crate::{admin, authorize, mcp, metadata, register, responses, token};

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/mcp", any(mcp::handle))
        .route(PRM_PATH, read_only(get(metadata::prm_path_inserted)))
        .route(PRM_ROOT_PATH, read_only(get(metadata::prm_root)))
        .route(
            "/.well-known/oauth-authorization-server",
            read_only(get(metadata::authorization_server)),
        )
        .route(
            "/.well-known/openid-configuration",
            read_only(get(metadata::openid_configuration)),
        )
        .route("/jwks.json", read_only(get(metadata::jwks)))
        .route("/docs", read_only(get(metadata::docs)))
        .route("/authorize", any(authorize::authorize))
        .route("/authorize/consent", any(authorize::consent))
        .route(
            crate::federation::CALLBACK_PATH,
            any(crate::federation::callback),
        )
        .route("/token", any(token::token))
        .route("/revoke", any(token::revoke))
        .route("/introspect", any(token::introspect))
        .route("/register", any(register::register))
        .route("/register/{client_id}", any(register::manage))
        .route(
            "/admin/clients/{client_id}/revoke",
            any(admin::revoke_client),
        )
        .fallback(not_found)
        .layer(middleware::from_fn(common))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            log_request,
        ))
        .with_state(state)
}

/// One line per request on stderr when [`crate::Config::log_requests`] is
/// set: time, peer, method, path (never the query, which may carry
/// codes), status and duration.
async fn log_request(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if !state.config.log_requests {
        return next.run(request).await;
    }
    let started = std::time::Instant::now();
    let peer = request
        .extensions()
        .get::<ConnectInfo<Peer>>()
        .map(|ConnectInfo(Peer(addr))| addr.to_string())
        .unwrap_or_else(|| "-".into());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    eprintln!(
        "{} {peer} {method} {path} {} {}ms",
        crate::audit::now_rfc3339(),
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// Gives GET-only routes a JSON 405 instead of axum's empty one.
fn read_only(route: MethodRouter<Arc<AppState>>) -> MethodRouter<Arc<AppState>> {
    route.fallback(|| async { responses::method_not_allowed("GET, HEAD") })
}

async fn not_found() -> Response {
    responses::not_found()
}

/// Rejects oversized bodies up front (handlers that read bodies also cap
/// them, which covers chunked uploads) and forbids framing everywhere
/// except where a mutant allows it.
async fn common(request: Request, next: Next) -> Response {
    let declared_too_large = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|len| len > responses::BODY_LIMIT as u64);
    let mut response = if declared_too_large {
        responses::payload_too_large()
    } else {
        next.run(request).await
    };
    if response
        .extensions()
        .get::<responses::AllowFraming>()
        .is_none()
    {
        response
            .headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}
