//! MCP endpoint actions: building a JSON-RPC request under either wire model (2026-07-28 stateless
//! or the 2025 session), opening a session, and calling the endpoint with or without a token.

use super::context::{StepRecord, StepStop, TargetContext};
use super::record::{Vars, exchange, harness, observed_response, skip};
use super::state::FlowState;
use crate::checks::{template, template_value};
use crate::http::{Request, Response};
use crate::oauth::jose;
use crate::suite::model::{CallResource, HELLO, TokenPlacement};
use crate::transcript::Exchange;
use crate::vocab::WireModel;
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The plain unauthenticated opening request of the revision (shared memo key `challenge`).
pub(crate) async fn unauthenticated_call(ctx: &TargetContext) -> StepRecord {
    let vars = ctx.builtin_vars();
    call_resource(
        ctx,
        &plain_call(),
        "unauthenticated request",
        &vars,
        &mut FlowState::default(),
    )
    .await
}

/// A call of `rpc` without credentials (for the scope its challenge names).
pub(crate) async fn unauthenticated_rpc(ctx: &TargetContext, rpc: &str, block: &str) -> StepRecord {
    let vars = ctx.builtin_vars();
    let call = CallResource {
        rpc: Some(rpc.into()),
        ..plain_call()
    };
    call_resource(ctx, &call, block, &vars, &mut FlowState::default()).await
}

pub(crate) fn plain_call() -> CallResource {
    CallResource::post(HELLO, None)
}

/// A token value for a generator keyword, or the literal (templated) token.
///
/// `access` and `refresh` are the tokens the case obtained; `forged-jwt` keeps the access
/// token's header and claims but not its signature; `none-jwt` re-issues its claims unsigned;
/// `tampered` changes one character of it, JWT or not;
/// `unknown-kid-jwt`, `jku-jwt` and `hs256-public-key-jwt` re-sign them with a key of the
/// harness's own (embedded, or at a `jku` URL it hosts on loopback) or, as HS256, with the public
/// key of the captured `jwks` (see [`jose`]);
/// `garbage` and `unsigned-jwt` need no flow at all.
pub(crate) fn token_value(
    ctx: &TargetContext,
    token: &str,
    vars: &Vars,
    flow: &FlowState,
) -> Result<String, StepStop> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let access = || {
        flow.access_token
            .clone()
            .or_else(|| ctx.auth.access_token.clone())
            .ok_or_else(|| StepStop::Unreached("no access token was obtained".into()))
    };
    let jwt_parts = |t: &str| -> Result<(String, String), StepStop> {
        let mut it = t.split('.');
        match (it.next(), it.next(), it.next(), it.next()) {
            (Some(h), Some(p), Some(_), None) => Ok((h.to_string(), p.to_string())),
            _ => Err(StepStop::Unavailable(
                "the access token is not a JWT, so a forged variant cannot be built".into(),
            )),
        }
    };
    Ok(match token {
        // Random-looking but fixed, so transcripts of two runs compare.
        "garbage" => "authspec-invalid-token-4mQ9xZ2bT7wL1cV8nR3kP6yH0sJ5dF".into(),
        "unsigned-jwt" => {
            let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
            let payload = json!({
                "iss": ctx.target.origin().ascii_serialization(),
                "aud": ctx.target.to_string(),
                "sub": "authspec",
                "scope": "mcp:tools",
                "exp": 4102444800u64,
                "iat": 1700000000u64,
            });
            format!("{header}.{}.", b64.encode(payload.to_string()))
        }
        "access" => access()?,
        "refresh" => flow
            .refresh_token
            .clone()
            .ok_or_else(|| StepStop::Unavailable("no refresh token was issued".into()))?,
        "forged-jwt" => {
            let (h, p) = jwt_parts(&access()?)?;
            let sig = b64.encode(Sha256::digest(format!("authspec-forged.{h}.{p}")));
            format!("{h}.{p}.{sig}")
        }
        // One character near the middle changed: no longer a token the server issued, whether
        // it is a JWT (the signed payload changes) or an opaque handle.
        "tampered" => {
            let mut chars: Vec<char> = access()?.chars().collect();
            let middle = chars.len() / 2;
            let at = (middle..chars.len())
                .chain(0..middle)
                .find(|&i| chars.get(i).is_some_and(char::is_ascii_alphanumeric))
                .ok_or_else(|| {
                    StepStop::Unavailable("the access token has no character to change".into())
                })?;
            if let Some(c) = chars.get_mut(at) {
                *c = if *c == 'A' { 'B' } else { 'A' };
            }
            chars.into_iter().collect()
        }
        "none-jwt" => {
            let (_, p) = jwt_parts(&access()?)?;
            format!("{}.{p}.", b64.encode(br#"{"alg":"none","typ":"at+jwt"}"#))
        }
        "unknown-kid-jwt" | "jku-jwt" => {
            let (_, p) = jwt_parts(&access()?)?;
            let key = jose::ProbeKey::generate()
                .ok_or_else(|| StepStop::Error("could not make a signing key".into()))?;
            let token = if token == "jku-jwt" {
                let set = json!({"keys": [key.public_jwk()]}).to_string();
                let url = host_jwks(set).map_err(|e| {
                    StepStop::Error(format!("could not host a JWK set on loopback: {e}"))
                })?;
                jose::with_jku(&key, &p, &url)
            } else {
                jose::unknown_kid(&key, &p)
            };
            token.ok_or_else(|| StepStop::Error("could not sign the probe token".into()))?
        }
        "hs256-public-key-jwt" => {
            let access = access()?;
            let (_, p) = jwt_parts(&access)?;
            let kid = jose::header_of(&access)
                .and_then(|h| h.get("kid").and_then(Value::as_str).map(str::to_owned));
            let jwks = vars.get("jwks").ok_or_else(|| {
                StepStop::Unavailable("no JWK set was captured (as `jwks`)".into())
            })?;
            jose::hs256_with_public_key(jwks, kid.as_deref(), &p).ok_or_else(|| {
                StepStop::Unavailable(
                    "the JWK set has no P-256 key for the access token's kid".into(),
                )
            })?
        }
        literal => template(literal, vars).map_err(StepStop::from_message)?,
    })
}

/// Serves `set` (a JWK set) at `http://127.0.0.1:PORT/jwks.json` for a minute, for a token that
/// points at it by `jku`; returns that URL. Only a resource server that trusts `jku` ever asks.
pub(crate) fn host_jwks(set: String) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let url = format!("http://{}/jwks.json", listener.local_addr()?);
    let serve = async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let set = set.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{set}",
                    set.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    };
    tokio::spawn(async move {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(60), serve).await;
    });
    Ok(url)
}

/// The JSON-RPC id of every request the harness sends; error responses must echo it.
pub const RPC_ID: u64 = 1;

/// The `_meta` key prefix of MCP's own request metadata (2026-07-28).
pub(crate) const META_PREFIX: &str = "io.modelcontextprotocol/";

/// The method a `call_resource` step sends: [`HELLO`] is the revision's opening request.
pub(crate) fn resolve_method(wire: WireModel, rpc: &str) -> &str {
    match (rpc, wire) {
        (HELLO, WireModel::Stateless) => "server/discover",
        (HELLO, WireModel::Session) => "initialize",
        (other, _) => other,
    }
}

/// The parameters a method is sent with before a case's overrides.
pub(crate) fn default_params(ctx: &TargetContext, method: &str) -> serde_json::Map<String, Value> {
    let params = match method {
        "initialize" => json!({
            "protocolVersion": ctx.spec.as_str(),
            "capabilities": {},
            "clientInfo": client_info(),
        }),
        "tools/call" => json!({"name": "echo", "arguments": {"text": "authspec"}}),
        "resources/read" => json!({"uri": "file:///authspec"}),
        _ => json!({}),
    };
    match params {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

pub(crate) fn client_info() -> Value {
    json!({"name": "authspec", "version": env!("CARGO_PKG_VERSION")})
}

/// The request metadata every 2026-07-28 request carries in `params._meta`.
pub(crate) fn default_meta(ctx: &TargetContext) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert(
        format!("{META_PREFIX}protocolVersion"),
        Value::String(ctx.spec.as_str().into()),
    );
    m.insert(format!("{META_PREFIX}clientCapabilities"), json!({}));
    m.insert(format!("{META_PREFIX}clientInfo"), client_info());
    m
}

/// Merges overrides into `into`: `null` removes a member. With `prefix`, a key without a `/`
/// names MCP's own metadata (`clientInfo` is `io.modelcontextprotocol/clientInfo`).
pub(crate) fn merge_overrides(
    into: &mut serde_json::Map<String, Value>,
    overrides: &serde_json::Map<String, Value>,
    prefix: Option<&str>,
    vars: &Vars,
) -> Result<(), String> {
    for (k, v) in overrides {
        let key = match prefix {
            Some(p) if !k.contains('/') => format!("{p}{k}"),
            _ => k.clone(),
        };
        if v.is_null() {
            into.remove(&key);
        } else {
            into.insert(key, template_keys(template_value(v, vars)?, vars)?);
        }
    }
    Ok(())
}

/// Templates the member names of objects too (`arguments: {"{{x_mcp_property}}": …}`).
pub(crate) fn template_keys(v: Value, vars: &Vars) -> Result<Value, String> {
    Ok(match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| Ok((template(&k, vars)?, template_keys(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|x| template_keys(x, vars))
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}

/// The tools a `tools/list` answer lists.
fn listed_tools(resp: &Response) -> Option<&Vec<Value>> {
    resp.json_ref()
        .and_then(|j| j.pointer("/result/tools"))
        .and_then(Value::as_array)
}

/// The first tool parameter a server asks clients to mirror into a header (`x-mcp-header`,
/// 2026-07-28 streamable HTTP §6.3): the tool, the property and the header name.
pub(crate) fn mirrored_tool_param(resp: &Response, values: &mut Vars) {
    let Some(tools) = listed_tools(resp) else {
        return;
    };
    for tool in tools {
        let Some(props) = tool
            .pointer("/inputSchema/properties")
            .and_then(Value::as_object)
        else {
            continue;
        };
        let found = props.iter().find_map(|(name, schema)| {
            let header = schema.get("x-mcp-header")?.as_str()?;
            let kind = schema.get("type").and_then(Value::as_str);
            matches!(kind, Some("string") | None).then(|| (name.clone(), header.to_string()))
        });
        if let (Some((property, header)), Some(tool)) =
            (found, tool.get("name").and_then(Value::as_str))
        {
            values.insert("x_mcp_tool".into(), json!(tool));
            values.insert("x_mcp_property".into(), json!(property));
            values.insert("x_mcp_header".into(), json!(format!("Mcp-Param-{header}")));
            return;
        }
    }
}

/// The methods of the input requests an `input_required` result carries
/// (`input_request_methods`, 2026-07-28 multi-round-trip requests); nothing when there is none.
pub(crate) fn input_request_methods(resp: &Response, values: &mut Vars) {
    let Some(requests) = resp
        .json_ref()
        .and_then(|j| j.pointer("/result/inputRequests"))
    else {
        return;
    };
    let list: Vec<&Value> = match requests {
        Value::Object(m) => m.values().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => return,
    };
    let methods: Vec<Value> = list
        .iter()
        .filter_map(|r| r.get("method").cloned())
        .collect();
    values.insert("input_request_methods".into(), Value::Array(methods));
}

/// A listed tool the harness may call without doing harm, and arguments for it (`safe_tool`,
/// `safe_arguments`): the first tool annotated `readOnlyHint: true`, else the harness's `echo`
/// when listed, else the first tool that takes no required argument. Required string arguments
/// get the text `authspec`; a tool that requires anything else is not chosen.
pub(crate) fn harmless_tool(resp: &Response, values: &mut Vars) {
    let Some(tools) = listed_tools(resp) else {
        return;
    };
    let arguments = |tool: &Value| -> Option<serde_json::Map<String, Value>> {
        let schema = tool.get("inputSchema");
        let required = schema
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut args = serde_json::Map::new();
        for name in &required {
            let name = name.as_str()?;
            let kind = schema
                .and_then(|s| {
                    s.pointer(&format!(
                        "/properties/{}",
                        name.replace('~', "~0").replace('/', "~1")
                    ))
                })
                .and_then(|p| p.get("type"))
                .and_then(Value::as_str);
            if !matches!(kind, Some("string") | None) {
                return None;
            }
            args.insert(name.to_string(), json!("authspec"));
        }
        Some(args)
    };
    let name = |tool: &Value| tool.get("name").and_then(Value::as_str).map(str::to_string);
    let read_only = |tool: &Value| tool.pointer("/annotations/readOnlyHint") == Some(&json!(true));
    let no_required = |tool: &Value| {
        tool.pointer("/inputSchema/required")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    };
    let chosen = tools
        .iter()
        .filter(|t| read_only(t))
        .chain(tools.iter().filter(|t| name(t).as_deref() == Some("echo")))
        .chain(tools.iter().filter(|t| no_required(t)))
        .find_map(|t| Some((name(t)?, arguments(t)?)));
    if let Some((tool, args)) = chosen {
        values.insert("safe_tool".into(), json!(tool));
        values.insert("safe_arguments".into(), Value::Object(args));
    }
}

/// The `Mcp-Name` source of a method (2026-07-28 streamable HTTP, standard request headers).
pub(crate) fn mirrored_name(
    method: &str,
    params: &serde_json::Map<String, Value>,
) -> Option<String> {
    let key = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return None,
    };
    params.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A mirrored header value: plain when it is safe visible ASCII, else the `=?base64?…?=` form
/// the 2026-07-28 transport prescribes (also for plain values that look like the sentinel).
pub fn mirrored_header_value(v: &str) -> String {
    let safe = v.bytes().all(|b| (0x20..=0x7e).contains(&b))
        && v.trim_matches(' ') == v
        && !(v.starts_with("=?base64?") && v.ends_with("?="));
    if safe {
        v.to_string()
    } else {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(v)
        )
    }
}

/// Builds the request of a `call_resource` step by the wire model of the revision judged by.
pub(crate) fn build_call(
    ctx: &TargetContext,
    c: &CallResource,
    method: Option<&str>,
    token: Option<&str>,
    vars: &Vars,
    flow: &FlowState,
) -> Result<Request, String> {
    let wire = ctx.spec.wire();
    let mut url = ctx.target.clone();
    let mut headers: Vec<(String, String)> = vec![(
        "Accept".into(),
        "application/json, text/event-stream".into(),
    )];
    let mut body = None;
    let modern = wire == WireModel::Stateless && method != Some("initialize");
    if modern {
        headers.push(("MCP-Protocol-Version".into(), ctx.spec.as_str().into()));
    }
    if let Some(method) = method {
        let mut params = default_params(ctx, method);
        merge_overrides(&mut params, &c.params, None, vars)?;
        if modern {
            let mut meta = default_meta(ctx);
            merge_overrides(&mut meta, &c.meta, Some(META_PREFIX), vars)?;
            params.insert("_meta".into(), Value::Object(meta));
            headers.push(("Mcp-Method".into(), method.into()));
            if let Some(name) = mirrored_name(method, &params) {
                headers.push(("Mcp-Name".into(), mirrored_header_value(&name)));
            }
        }
        let mut message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        if !c.notification {
            message["id"] = json!(RPC_ID);
        }
        body = Some(message.to_string().into_bytes());
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    // The 2025 streamable HTTP transport: after initialize, requests name the session the
    // server gave (if any) and the version it negotiated.
    if wire == WireModel::Session && method != Some("initialize") {
        if let Some(session) = &flow.mcp_session {
            headers.push(("Mcp-Session-Id".into(), session.clone()));
        }
        let version = flow.mcp_version.as_deref().unwrap_or(ctx.spec.as_str());
        headers.push(("MCP-Protocol-Version".into(), version.into()));
    }
    if let Some(token) = token {
        match c.placement {
            TokenPlacement::Query => {
                url.query_pairs_mut().append_pair("access_token", token);
            }
            TokenPlacement::Body | TokenPlacement::HeaderAndBody => {
                let form = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("access_token", token)
                    .finish();
                headers.retain(|(k, _)| k != "Content-Type");
                headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
                body = Some(form.into_bytes());
            }
            TokenPlacement::Header => {}
        }
        if matches!(
            c.placement,
            TokenPlacement::Header | TokenPlacement::HeaderAndBody
        ) {
            headers.push(("Authorization".into(), format!("{} {token}", c.scheme)));
        }
    }
    if let Some(a) = &c.authorization {
        headers.push(("Authorization".into(), template(a, vars)?));
    }
    for (name, value) in &c.headers {
        let name = template(name, vars)?;
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        if let Some(v) = value {
            headers.push((name, template(v, vars)?));
        }
    }
    Ok(Request {
        method: c.method.clone(),
        url,
        headers,
        body,
    })
}

/// The 2025 wire model: a client opens a session with `initialize` (then
/// `notifications/initialized`) before anything else, with the credentials of the call that
/// follows. A refusal is not reported here: the call goes on without a session and its own
/// answer is judged.
pub(crate) async fn open_session(
    ctx: &TargetContext,
    c: &CallResource,
    token: Option<&str>,
    block: &str,
    vars: &Vars,
    flow: &mut FlowState,
    log: &mut Vec<Exchange>,
) {
    flow.mcp_session_opened = true;
    let opening = lifecycle_call(c, "initialize");
    let Ok(req) = build_call(ctx, &opening, Some("initialize"), token, vars, flow) else {
        return;
    };
    let block = format!("{block} (opening the session: initialize)");
    let Ok(resp) = exchange(ctx, &block, &req, log).await else {
        return;
    };
    finish_initialize(ctx, &opening, token, &block, vars, flow, &resp, log).await;
}

/// A 2025 lifecycle message (`initialize`, `notifications/initialized`) with the credentials of
/// `c` and none of its probe overrides.
pub(crate) fn lifecycle_call(c: &CallResource, rpc: &str) -> CallResource {
    CallResource {
        method: "POST".into(),
        rpc: Some(rpc.into()),
        headers: Vec::new(),
        params: serde_json::Map::new(),
        meta: serde_json::Map::new(),
        notification: rpc.starts_with("notifications/"),
        ..c.clone()
    }
}

/// After an answer to `initialize`: learn the session and the version the server chose, then
/// send `notifications/initialized` as a 2025 client does.
#[expect(
    clippy::too_many_arguments,
    reason = "the step's context, credentials and log, as call_resource has them"
)]
pub(crate) async fn finish_initialize(
    ctx: &TargetContext,
    c: &CallResource,
    token: Option<&str>,
    block: &str,
    vars: &Vars,
    flow: &mut FlowState,
    resp: &Response,
    log: &mut Vec<Exchange>,
) {
    flow.mcp_session_opened = true;
    if !learn_session(ctx, flow, resp) {
        return;
    }
    let initialized = lifecycle_call(c, "notifications/initialized");
    if let Ok(req) = build_call(
        ctx,
        &initialized,
        Some("notifications/initialized"),
        token,
        vars,
        flow,
    ) {
        let _ = exchange(ctx, block, &req, log).await;
    }
}

/// After a 200 to `initialize`: the session and the version the server chose.
pub(crate) fn learn_session(ctx: &TargetContext, flow: &mut FlowState, resp: &Response) -> bool {
    if resp.status != 200 {
        return false;
    }
    let Some(version) = resp
        .json()
        .and_then(|j| j.pointer("/result/protocolVersion").cloned())
        .and_then(|v| v.as_str().map(str::to_string))
    else {
        return false;
    };
    flow.mcp_session = resp.header("mcp-session-id").map(str::to_string);
    ctx.note_wire(super::context::WireSeen::Session(version.clone()));
    flow.mcp_version = Some(version);
    true
}

/// What an SSE response carried: how many events, and how many were JSON-RPC requests (a
/// method and an id), which 2026-07-28 forbids on a response stream.
pub(crate) fn sse_values(resp: &Response, values: &mut Vars) {
    if resp.media_type().as_deref() != Some("text/event-stream") {
        return;
    }
    let events = crate::http::sse_messages(&resp.body);
    let requests = events
        .iter()
        .filter(|e| e.get("method").is_some() && e.get("id").is_some())
        .count();
    values.insert("sse_events".into(), json!(events.len()));
    values.insert("sse_requests".into(), json!(requests));
}

pub(crate) async fn call_resource(
    ctx: &TargetContext,
    c: &CallResource,
    block: &str,
    vars: &Vars,
    flow: &mut FlowState,
) -> StepRecord {
    let mut log = Vec::new();
    let token = match c.token.as_deref().map(|t| token_value(ctx, t, vars, flow)) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            return StepRecord {
                result: Err(e),
                exchanges: log,
                notes: Vec::new(),
            };
        }
    };
    if let Some(t) = &token {
        ctx.http.redactor.add_secret(t);
    }
    let wire = ctx.spec.wire();
    let method = c.rpc.as_deref().map(|m| resolve_method(wire, m));
    let credentials = token.is_some() || c.authorization.is_some();
    if wire == WireModel::Session
        && credentials
        && !flow.mcp_session_opened
        && !c.notification
        && method.is_some_and(|m| m != "initialize")
    {
        open_session(ctx, c, token.as_deref(), block, vars, flow, &mut log).await;
    }
    // A tool taken from the server's list that the list did not have: nothing is sent (a
    // tools/call without a tool name would only be a malformed request).
    if method == Some("tools/call")
        && let Some(name) = c.params.get("name")
        && !template_value(name, vars).is_ok_and(|v| v.is_string())
    {
        return skip(
            "the server listed no tool this probe may call, so no tools/call was sent",
            log,
        );
    }
    let req = match build_call(ctx, c, method, token.as_deref(), vars, flow) {
        Ok(r) => r,
        Err(e) => return harness(e, log),
    };
    let mut values = Vars::new();
    values.insert("url".into(), Value::String(ctx.target.to_string()));
    values.insert("request_id".into(), json!(RPC_ID));
    match exchange(ctx, block, &req, &mut log).await {
        Ok(resp) => {
            if method == Some("initialize") && wire == WireModel::Session {
                finish_initialize(ctx, c, token.as_deref(), block, vars, flow, &resp, &mut log)
                    .await;
            } else if wire == WireModel::Stateless
                && credentials
                && resp.status == 200
                && resp.json().is_some_and(|j| j.get("result").is_some())
            {
                ctx.note_wire(super::context::WireSeen::Stateless);
            }
            sse_values(&resp, &mut values);
            if method == Some("tools/list") {
                mirrored_tool_param(&resp, &mut values);
                harmless_tool(&resp, &mut values);
            }
            input_request_methods(&resp, &mut values);
            observed_response(resp, values, log)
        }
        Err(e) => harness(format!("{block}: {e}"), log),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn answer(body: Value) -> Response {
        Response::new(
            200,
            vec![("content-type".into(), "application/json".into())],
            body.to_string().into_bytes(),
            Duration::ZERO,
        )
    }

    fn chosen(tools: Value) -> (Option<Value>, Option<Value>) {
        let mut values = Vars::new();
        harmless_tool(&answer(json!({"result": {"tools": tools}})), &mut values);
        (
            values.get("safe_tool").cloned(),
            values.get("safe_arguments").cloned(),
        )
    }

    #[test]
    fn the_harmless_tool_is_read_only_then_echo_then_argument_free() {
        let write = json!({"name": "delete_all", "inputSchema": {"type": "object"}});
        let echo = json!({"name": "echo", "inputSchema": {"properties": {"text": {"type": "string"}}, "required": ["text"]}});
        let read = json!({"name": "lookup", "annotations": {"readOnlyHint": true},
            "inputSchema": {"properties": {"q": {"type": "string"}}, "required": ["q"]}});
        let (tool, args) = chosen(json!([write, echo, read]));
        assert_eq!(tool, Some(json!("lookup")));
        assert_eq!(args, Some(json!({"q": "authspec"})));
        let (tool, args) = chosen(json!([write, echo]));
        assert_eq!(tool, Some(json!("echo")));
        assert_eq!(args, Some(json!({"text": "authspec"})));
        assert_eq!(chosen(json!([write])).0, Some(json!("delete_all")));
        // A tool that needs a number is never called with made-up arguments.
        let counted = json!({"name": "count", "inputSchema": {"properties": {"n": {"type": "integer"}}, "required": ["n"]}});
        assert_eq!(chosen(json!([counted])).0, None);
    }

    #[test]
    fn input_request_methods_are_listed() {
        let mut values = Vars::new();
        let body = json!({"result": {"resultType": "input_required", "inputRequests": {
            "a": {"method": "elicitation/create", "params": {}},
            "b": {"method": "roots/list"},
        }}});
        input_request_methods(&answer(body), &mut values);
        let methods = values.get("input_request_methods").cloned();
        assert_eq!(methods, Some(json!(["elicitation/create", "roots/list"])));
        let mut none = Vars::new();
        input_request_methods(
            &answer(json!({"result": {"resultType": "input_required", "requestState": "x"}})),
            &mut none,
        );
        assert!(!none.contains_key("input_request_methods"));
    }
}
