//! The state one case carries from step to step: the clients it holds, the code, verifier and
//! tokens it obtained, the documents it published.

use super::context::TargetContext;
use super::docserver::{Canary, DocServer};
use super::record::Vars;
use crate::oauth::pkce;
use base64::Engine;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A registered (or pre-registered) client.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub id: String,
    pub secret: Option<String>,
    pub auth_method: String,
    pub redirect_uri: String,
    /// Every registered redirect URI, so that a redirect to any of them is recognised.
    pub redirect_uris: Vec<String>,
}

impl Client {
    /// A client registered out of band (`--client-id`, `--client-secret-env`): it
    /// authenticates with HTTP Basic when it has a secret, and uses the run's redirect URI.
    pub(crate) fn given(ctx: &TargetContext, id: &str, secret: Option<&str>) -> Client {
        Client {
            id: id.to_string(),
            secret: secret.map(str::to_string),
            auth_method: if secret.is_some() {
                "client_secret_basic".into()
            } else {
                "none".into()
            },
            redirect_uri: ctx.auth.redirect_uri.clone(),
            redirect_uris: vec![ctx.auth.redirect_uri.clone()],
        }
    }
}

/// What a case has obtained so far.
#[derive(Clone, Debug, Default)]
pub struct FlowState {
    pub as_metadata: Option<Value>,
    pub clients: BTreeMap<String, Client>,
    pub verifier: Option<String>,
    pub challenge: Option<String>,
    pub state: Option<String>,
    pub code: Option<String>,
    /// The redirect_uri sent with the authorization request that produced the code.
    pub code_redirect_uri: Option<String>,
    pub code_client: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub previous_refresh_token: Option<String>,
    pub scope: Option<String>,
    /// The scopes of `scopes_supported` that the challenge to an unauthenticated `tools/list`
    /// does not name: a strict subset, to probe step-up with. `None` when there is none.
    pub narrow_scope: Option<String>,
    /// The MCP server's resource identifier (the default `resource` parameter).
    pub resource: Option<String>,
    /// The `resource` values sent with the last authorization request; the token request
    /// repeats them.
    pub code_resources: Vec<String>,
    /// The MCP session the server assigned at initialize, sent with later calls (2025).
    pub mcp_session: Option<String>,
    /// The protocol version the server chose at initialize, sent with later calls (2025).
    pub mcp_version: Option<String>,
    /// Whether the case has already opened (or tried to open) its session (2025).
    pub mcp_session_opened: bool,
    /// RFC 7592 client configuration URIs and their tokens, deleted when the case ends.
    pub cleanup: Vec<(String, String)>,
    /// Client ID Metadata Documents the harness serves for the case's clients, by label.
    pub cimd: BTreeMap<String, super::state::ServedDoc>,
}

impl FlowState {
    /// The values templates and `var` subjects can use.
    pub fn vars(&self) -> Vars {
        let mut v = Vars::new();
        let mut put = |k: &str, val: &Option<String>| {
            if let Some(s) = val {
                v.insert(k.to_string(), Value::String(s.clone()));
            }
        };
        if let Some(c) = self.clients.get("main") {
            put("client_id", &Some(c.id.clone()));
            put("client_secret", &c.secret);
            put("redirect_uri", &Some(c.redirect_uri.clone()));
            // The client type is what was registered (RFC 7591 §2, OAuth 2.1 §2.1), not
            // whether a secret came back.
            put("token_endpoint_auth_method", &Some(c.auth_method.clone()));
        }
        put("narrow_scope", &self.narrow_scope);
        put("code", &self.code);
        put("code_verifier", &self.verifier);
        put("code_challenge", &self.challenge);
        put("state", &self.state);
        put("access_token", &self.access_token);
        put("refresh_token", &self.refresh_token);
        put("previous_refresh_token", &self.previous_refresh_token);
        put("scope", &self.scope);
        put("resource", &self.resource);
        // The same resource with its scheme and host in capitals (MCP 2025-11-25 §8.1 says
        // servers ought to accept it).
        let upper = self.resource.as_deref().and_then(|r| {
            let (scheme, rest) = r.split_once("://")?;
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            Some(format!(
                "{}://{}{path}",
                scheme.to_ascii_uppercase(),
                host.to_ascii_uppercase()
            ))
        });
        put("resource_upper", &upper);
        if let Some(Value::Object(m)) = &self.as_metadata {
            // A resource the authorization server also issues tokens for (RFC 9728 §4), other
            // than this MCP server: its tokens must not work here.
            let own = self.resource.as_deref().map(|r| r.trim_end_matches('/'));
            let other = m
                .get("protected_resources")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter()
                        .filter_map(Value::as_str)
                        .find(|r| Some(r.trim_end_matches('/')) != own)
                })
                .map(str::to_string);
            put("other_resource", &other);
            for k in [
                "issuer",
                "authorization_endpoint",
                "token_endpoint",
                "registration_endpoint",
                "revocation_endpoint",
            ] {
                if let Some(Value::String(s)) = m.get(k) {
                    v.insert(k.to_string(), Value::String(s.clone()));
                }
            }
        }
        v
    }
}

/// The client a step uses: by label, else the main one, else the pre-registered one.
pub(crate) fn client_for(
    ctx: &TargetContext,
    flow: &FlowState,
    label: Option<&str>,
) -> Option<Client> {
    if let Some(c) = flow.clients.get(label.unwrap_or("main")) {
        return Some(c.clone());
    }
    if label.is_none() || label == Some("main") {
        return ctx
            .auth
            .client_id
            .as_ref()
            .map(|id| Client::given(ctx, id, ctx.auth.client_secret.as_deref()));
    }
    None
}

pub(crate) fn verifier_for(kind: Option<&str>) -> String {
    match kind {
        None => pkce::verifier(64),
        Some("short") => pkce::verifier(42),
        Some("long") => pkce::verifier(129),
        // 43 characters, one of them outside the unreserved set
        Some("bad-charset") => format!("{}+", pkce::verifier(42)),
        Some(literal) => literal.to_string(),
    }
}

/// Keywords for deliberately wrong values at the token endpoint.
pub(crate) fn keyword_value(k: &str, v: &str, flow: &FlowState) -> String {
    match (k, v) {
        ("code_verifier", "wrong") => pkce::verifier(64),
        ("code", "wrong") => pkce::random_token(),
        ("redirect_uri", "other") => {
            let base = flow
                .code_redirect_uri
                .clone()
                .unwrap_or_else(|| super::context::DEFAULT_REDIRECT_URI.into());
            format!("{}/other", base.trim_end_matches('/'))
        }
        ("refresh_token", "previous") => flow.previous_refresh_token.clone().unwrap_or_default(),
        _ => v.to_string(),
    }
}

/// The payload of a JWT, if the token is one (access tokens may be opaque).
pub fn jwt_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A document the harness serves for a client of the case.
#[derive(Clone, Debug)]
pub struct ServedDoc {
    pub path: String,
    pub docs: Arc<DocServer>,
    pub canary: Option<Arc<Canary>>,
}

/// Adds what the document server saw of a client's document to an observation: how often it
/// was fetched, and the connections its canary got.
pub fn observe(flow: &FlowState, label: &str, values: &mut Vars) {
    if let Some(d) = flow.cimd.get(label) {
        values.insert(
            "document_fetches".into(),
            Value::from(d.docs.fetches(&d.path)),
        );
        if let Some(c) = &d.canary {
            values.insert("canary_connections".into(), Value::from(c.connections()));
        }
    }
}
