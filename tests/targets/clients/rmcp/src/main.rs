//! The Rust MCP SDK's client (`rmcp` with its `auth` feature), driven headlessly through the
//! whole OAuth flow: the SDK does discovery, the choice of client id (a pre-registered one,
//! its Client ID Metadata Document where the authorization server supports them, dynamic
//! registration otherwise), PKCE, the token request with the RFC 9207 `iss` check, and the
//! MCP session; this launcher only plays the user agent. Its "browser" fetches the
//! authorization URL without following the redirect and hands the SDK the redirect URL.
//!
//! Usage: authspec-rmcp-client MCP-URL. AUTHSPEC_CLIENT_METADATA_URL sets the document URL
//! (empty: none); MCP_CONFORMANCE_CONTEXT may carry pre-registered credentials (client_id,
//! client_secret).

use std::process::ExitCode;

use rmcp::model::{CallToolRequestParams, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::auth::{AuthClient, AuthorizationRequest, OAuthState};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

const REDIRECT: &str = "http://127.0.0.1:3000/callback";
const CONFORMANCE_DOCUMENT_URL: &str = "https://conformance-test.local/client-metadata.json";

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let Some(url) = std::env::args().skip(1).last() else {
        println!("rmcp: usage: authspec-rmcp-client MCP-URL");
        return ExitCode::from(2);
    };
    match run(&url).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("rmcp: stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The user agent: the authorization endpoint's redirect, not followed.
async fn browse(authorization_url: &str) -> Result<String, Failure> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()?;
    let response = http.get(authorization_url).send().await?;
    let status = response.status();
    let Some(location) = response.headers().get("location") else {
        return Err(format!("the authorization endpoint answered {status} without a redirect").into());
    };
    let base = url::Url::parse(authorization_url)?;
    Ok(base.join(location.to_str()?)?.to_string())
}

/// The challenge (`WWW-Authenticate`) of a 401 or 403 somewhere in an error's chain: what an
/// rmcp application feeds back into a new authorization (`AuthorizationRequest::with_challenge`).
fn challenge_of(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        for prefix in ["authorization required: ", "insufficient scope: "] {
            if let Some(i) = text.find(prefix) {
                return Some(text[i + prefix.len()..].to_string());
            }
        }
        next = err.source();
    }
    None
}

/// One authorization through the SDK: the manager that holds the token.
async fn authorize(
    url: &str,
    context: &serde_json::Value,
    challenge: Option<&str>,
) -> Result<rmcp::transport::auth::AuthorizationManager, Failure> {
    let document = std::env::var("AUTHSPEC_CLIENT_METADATA_URL")
        .unwrap_or_else(|_| CONFORMANCE_DOCUMENT_URL.to_string());
    let mut request =
        AuthorizationRequest::new(REDIRECT).with_client_name("authspec rmcp launcher");
    if !document.is_empty() {
        request = request.with_client_metadata_url(document);
    }
    if let Some(id) = context.get("client_id").and_then(|v| v.as_str()) {
        request = request.with_preregistered_client(id);
        if let Some(secret) = context.get("client_secret").and_then(|v| v.as_str()) {
            request = request.with_client_secret(secret);
        }
    }
    if let Some(c) = challenge {
        request = request.with_challenge(c);
    }
    let mut state = OAuthState::new(url, None).await?;
    state.start_authorization(request).await?;
    let redirect = browse(&state.get_authorization_url().await?).await?;
    state.handle_callback_url(&redirect).await?;
    Ok(state
        .into_authorization_manager()
        .ok_or("the SDK holds no authorization after the callback")?)
}

/// The MCP session with one token: list the tools, call `echo` when there is one.
async fn session(url: &str, manager: rmcp::transport::auth::AuthorizationManager) -> Result<(), Failure> {
    let client = AuthClient::new(reqwest::Client::default(), manager);
    let transport = StreamableHttpClientTransport::with_client(
        client,
        StreamableHttpClientTransportConfig::with_uri(url),
    );
    let legacy = std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION")
        .is_ok_and(|v| v.starts_with("2025"));
    let lifecycle = if legacy {
        ClientLifecycleMode::Initialize
    } else {
        ClientLifecycleMode::Auto {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            legacy_version: Some(ProtocolVersion::V_2025_11_25),
        }
    };
    let service = ().serve_with_lifecycle(transport, lifecycle).await?;
    let tools = service.list_all_tools().await?;
    println!("rmcp: connected, {} tool(s)", tools.len());
    if tools.iter().any(|t| t.name == "echo") {
        let args = serde_json::json!({ "text": "authspec" });
        let params = CallToolRequestParams::new("echo")
            .with_arguments(args.as_object().cloned().unwrap_or_default());
        service.call_tool(params).await?;
        println!("rmcp: called echo");
    }
    service.cancel().await?;
    Ok(())
}

/// Authorizes, then runs the session; a 401 or 403 on the way starts a new authorization from
/// its challenge (step-up, a new authorization server), as an rmcp application does.
async fn run(url: &str) -> Result<(), Failure> {
    let context: serde_json::Value = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let mut challenge: Option<String> = None;
    for _ in 0..3 {
        let manager = authorize(url, &context, challenge.as_deref()).await?;
        match session(url, manager).await {
            Ok(()) => return Ok(()),
            Err(e) => match challenge_of(e.as_ref()) {
                Some(c) => {
                    println!("rmcp: authorizing again after a challenge");
                    challenge = Some(c);
                }
                None => return Err(e),
            },
        }
    }
    Err("still refused after three authorizations".into())
}
