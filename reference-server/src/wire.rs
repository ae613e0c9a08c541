//! The MCP messages behind the authorization check at `/mcp`, in the wire model of the
//! revision each request names.
//!
//! - **2026-07-28 (modern)**: no `initialize` and no session. Every POST carries
//!   `MCP-Protocol-Version`, `Mcp-Method` (and `Mcp-Name` for named methods), and the body's
//!   `params._meta` carries the version, the client's capabilities and (optionally) its
//!   identity. Header and body must agree (`-32020`), the version must be one this server
//!   serves (`-32022`), an unknown method is a 404 with `-32601`, and every result says
//!   `resultType`, names the server in `_meta` and carries cache hints where the revision asks.
//! - **2025-06-18 and 2025-11-25 (legacy)**: `initialize` negotiates the version; later requests
//!   name it in `MCP-Protocol-Version`. This server assigns no session (the transport allows
//!   that), so the legacy model is stateless here too.
//!
//! The server is dual-era: it picks the model per request, by `initialize` or by the version
//! the request names.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Map, Value, json};

use crate::responses;
use crate::state::AppState;
use crate::{Mutant, Variant};

/// The current revision, the only modern one.
pub(crate) const MODERN_VERSION: &str = "2026-07-28";
/// Legacy revisions this server negotiates at `initialize`, newest first.
const LEGACY_VERSIONS: [&str; 2] = ["2025-11-25", "2025-06-18"];
/// Every revision served; `server/discover` and `-32022` errors list them.
const SUPPORTED_VERSIONS: [&str; 3] = [MODERN_VERSION, "2025-11-25", "2025-06-18"];

/// The versions this server serves: all of them, or 2026-07-28 alone under `modern-only` (and
/// under `rs-get-opens-stream`, whose GET fault is one of a server that supports 2026-07-28
/// alone: a server that also speaks 2025 may open a stream on GET).
fn supported_versions(state: &AppState) -> &'static [&'static str] {
    if state.is(Variant::ModernOnly) || state.has(Mutant::RsGetOpensStream) {
        &SUPPORTED_VERSIONS[..1]
    } else {
        &SUPPORTED_VERSIONS[..]
    }
}

/// MCP's own `_meta` keys (2026-07-28 basic §6.1).
const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// A tool whose `region` argument clients mirror into `Mcp-Param-Region`.
const ROUTE_TOOL: &str = "route";

/// MCP error codes (2026-07-28 basic §1.2.3).
const HEADER_MISMATCH: i64 = -32020;
const UNSUPPORTED_VERSION: i64 = -32022;
/// The pre-release code for an unsupported version, only under a mutant.
const PRERELEASE_UNSUPPORTED_VERSION: i64 = -32004;
/// The 2025 "resource not found" code, only under a mutant.
const LEGACY_RESOURCE_NOT_FOUND: i64 = -32002;

/// Answers an authorised request to the MCP endpoint. `credential` identifies the caller (the
/// raw Authorization value) for the `rs-requires-discover-first` mutant.
pub(crate) fn serve(
    state: &Arc<AppState>,
    parts: &Parts,
    body: &Bytes,
    credential: Option<&str>,
) -> Response {
    if parts.method != Method::POST {
        if parts.method == Method::GET && state.has(Mutant::RsGetOpensStream) {
            return (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/event-stream"),
                )],
                ": stream\n\n",
            )
                .into_response();
        }
        // No standalone SSE stream and no session to delete: 2026-07-28 streamable HTTP
        // §7.1 asks for 405, and earlier revisions allow it.
        return responses::method_not_allowed("POST");
    }
    let message = match parse(body) {
        Ok(m) => m,
        Err((code, text, id)) => return rpc_error(StatusCode::BAD_REQUEST, id, code, text),
    };
    let Some(method) = message.get("method").and_then(Value::as_str) else {
        // A client's response to a server request is acknowledged like a notification.
        if message.contains_key("result") || message.contains_key("error") {
            return StatusCode::ACCEPTED.into_response();
        }
        return rpc_error(
            StatusCode::BAD_REQUEST,
            Value::Null,
            -32600,
            "Invalid Request",
        );
    };
    let id = message.get("id").cloned();
    if id
        .as_ref()
        .is_some_and(|id| !(id.is_string() || id.is_number()))
    {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            Value::Null,
            -32600,
            "Invalid Request",
        );
    }
    let params = message.get("params").and_then(Value::as_object);
    let header_version = header_text(&parts.headers, "mcp-protocol-version");
    let meta = params
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object);
    let meta_version = meta
        .and_then(|m| m.get(META_VERSION))
        .and_then(Value::as_str);

    if method == "initialize" {
        return legacy(state, method, params, id);
    }
    if served_as_legacy(state, header_version, meta_version) {
        return legacy(state, method, params, id);
    }
    Modern {
        state,
        headers: &parts.headers,
        method,
        params,
        meta,
        id,
        credential,
    }
    .answer(header_version, meta_version)
}

/// The refusal a 2026-07-28 request gets for its protocol version alone (unsupported, or header
/// and `_meta` disagreeing), for a server that checks versions before authorization. `None`
/// for 2025 requests and for versions this server serves.
pub(crate) fn version_refusal(
    state: &Arc<AppState>,
    parts: &Parts,
    body: &[u8],
) -> Option<Response> {
    if parts.method != Method::POST {
        return None;
    }
    let message = parse(body).ok()?;
    let method = message.get("method").and_then(Value::as_str)?;
    let params = message.get("params").and_then(Value::as_object);
    let meta = params
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object);
    let header_version = header_text(&parts.headers, "mcp-protocol-version");
    let meta_version = meta
        .and_then(|m| m.get(META_VERSION))
        .and_then(Value::as_str);
    if method == "initialize" || served_as_legacy(state, header_version, meta_version) {
        return None;
    }
    let request = Modern {
        state,
        headers: &parts.headers,
        method,
        params,
        meta,
        id: message.get("id").cloned(),
        credential: None,
    };
    request
        .validate_version(header_version, meta_version)
        .err()
        .map(|e| request.error(e))
}

/// Whether a request after `initialize` is a 2025 one: it names a legacy version in its header
/// and carries no 2026-07-28 `_meta` version. Under `rs-ignores-protocol-version` a header
/// naming a version this server does not serve counts as legacy too, so the request is served
/// (2025 streamable HTTP: such a request MUST get 400).
fn served_as_legacy(
    state: &AppState,
    header_version: Option<&str>,
    meta_version: Option<&str>,
) -> bool {
    let legacy = |v: &str| {
        LEGACY_VERSIONS.contains(&v)
            || (state.has(Mutant::RsIgnoresProtocolVersion) && !SUPPORTED_VERSIONS.contains(&v))
    };
    meta_version.is_none() && header_version.is_some_and(legacy)
}

/// Parses a JSON-RPC message (an object), or says which JSON-RPC error (code, message and the
/// id, where one could be read) answers it.
fn parse(body: &[u8]) -> Result<Map<String, Value>, (i64, &'static str, Value)> {
    let Ok(message) = serde_json::from_slice::<Value>(body) else {
        return Err((-32700, "Parse error", Value::Null));
    };
    let Value::Object(message) = message else {
        return Err((-32600, "Invalid Request", Value::Null));
    };
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        let id = message.get("id").cloned().unwrap_or(Value::Null);
        return Err((-32600, "Invalid Request", id));
    }
    Ok(message)
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The 2025 wire model: `initialize` negotiates, later requests are served as before.
fn legacy(
    state: &AppState,
    method: &str,
    params: Option<&Map<String, Value>>,
    id: Option<Value>,
) -> Response {
    if method == "initialize" && state.has(Mutant::RsEmptyInitializeError) {
        return StatusCode::BAD_REQUEST.into_response();
    }
    if state.is(Variant::ModernOnly) {
        // 2026-07-28 versioning §4: the refusal names the versions this server serves.
        let requested = params
            .and_then(|p| p.get("protocolVersion"))
            .cloned()
            .unwrap_or(Value::Null);
        return responses::json(
            StatusCode::BAD_REQUEST,
            &json!({"jsonrpc": "2.0", "id": id.unwrap_or(Value::Null), "error": {
                "code": UNSUPPORTED_VERSION,
                "message": "Unsupported protocol version: this server speaks 2026-07-28 only",
                "data": {"supported": supported_versions(state), "requested": requested},
            }}),
        );
    }
    let Some(id) = id else {
        return StatusCode::ACCEPTED.into_response();
    };
    let result = match method {
        "initialize" => {
            let requested = params
                .and_then(|p| p.get("protocolVersion"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let version = LEGACY_VERSIONS
                .into_iter()
                .find(|v| *v == requested)
                .unwrap_or(LEGACY_VERSIONS[0]);
            Ok(json!({
                "protocolVersion": version,
                "capabilities": {"tools": {}, "resources": {}, "prompts": {}},
                "serverInfo": server_info(),
            }))
        }
        other => dispatch(state, other, params, None),
    };
    match result {
        Ok(result) => responses::json(
            StatusCode::OK,
            &json!({"jsonrpc": "2.0", "id": id, "result": result}),
        ),
        Err(e) => rpc_error(StatusCode::OK, id, e.code, e.message),
    }
}

fn server_info() -> Value {
    json!({"name": "authspec-reference-server", "version": env!("CARGO_PKG_VERSION")})
}

/// A JSON-RPC error, with the HTTP status it travels under in the modern model.
struct RpcError {
    status: StatusCode,
    code: i64,
    message: &'static str,
    data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: &'static str) -> Self {
        RpcError {
            status: StatusCode::OK,
            code,
            message,
            data: None,
        }
    }

    fn bad_request(code: i64, message: &'static str) -> Self {
        RpcError {
            status: StatusCode::BAD_REQUEST,
            ..RpcError::new(code, message)
        }
    }
}

/// One 2026-07-28 request.
struct Modern<'a> {
    state: &'a Arc<AppState>,
    headers: &'a HeaderMap,
    method: &'a str,
    params: Option<&'a Map<String, Value>>,
    meta: Option<&'a Map<String, Value>>,
    id: Option<Value>,
    credential: Option<&'a str>,
}

impl Modern<'_> {
    fn has(&self, m: Mutant) -> bool {
        self.state.has(m)
    }

    fn answer(self, header_version: Option<&str>, meta_version: Option<&str>) -> Response {
        if let Err(e) = self
            .validate_version(header_version, meta_version)
            .and_then(|()| self.validate())
        {
            return self.error(e);
        }
        let Some(id) = self.id.clone() else {
            // A notification (2026-07-28 streamable HTTP §2): accepted with 202 and no body.
            if self.has(Mutant::RsNotification200) {
                return responses::json(StatusCode::OK, &json!({"jsonrpc": "2.0"}));
            }
            return StatusCode::ACCEPTED.into_response();
        };
        if self.has(Mutant::RsRequiresDiscoverFirst) && !self.discovered() {
            return self.error(RpcError::bad_request(
                -32600,
                "Call server/discover first on this connection",
            ));
        }
        match dispatch(self.state, self.method, self.params, self.meta) {
            Ok(result) => self.result(id, result),
            Err(e) => self.error(e),
        }
    }

    /// The version rules of 2026-07-28 (streamable HTTP §6.1, versioning §2).
    fn validate_version(
        &self,
        header_version: Option<&str>,
        meta_version: Option<&str>,
    ) -> Result<(), RpcError> {
        let version = match (header_version, meta_version) {
            (None, meta) if self.has(Mutant::RsMissingVersionHeaderAccepted) => {
                meta.unwrap_or(MODERN_VERSION)
            }
            (None, _) => {
                return Err(RpcError::bad_request(
                    HEADER_MISMATCH,
                    "Header mismatch: the MCP-Protocol-Version header is missing",
                ));
            }
            (Some(h), Some(m)) if h != m && !self.has(Mutant::RsTrustsVersionHeader) => {
                return Err(RpcError::bad_request(
                    HEADER_MISMATCH,
                    "Header mismatch: MCP-Protocol-Version differs from _meta protocolVersion",
                ));
            }
            (Some(h), _) => h,
        };
        let supported = supported_versions(self.state);
        if !supported.contains(&version) && !self.has(Mutant::RsIgnoresProtocolVersion) {
            let code = if self.has(Mutant::RsPrereleaseVersionCode) {
                PRERELEASE_UNSUPPORTED_VERSION
            } else {
                UNSUPPORTED_VERSION
            };
            return Err(RpcError {
                data: Some(json!({"supported": supported, "requested": version})),
                ..RpcError::bad_request(code, "Unsupported protocol version")
            });
        }
        if meta_version.is_none() && !self.has(Mutant::RsMissingVersionHeaderAccepted) {
            return Err(RpcError::bad_request(
                -32602,
                "Invalid params: _meta lacks io.modelcontextprotocol/protocolVersion",
            ));
        }
        Ok(())
    }

    /// The `_meta`, mirrored-header and legacy-header rules of 2026-07-28 (streamable HTTP
    /// §6–§7, basic §6.1).
    fn validate(&self) -> Result<(), RpcError> {
        let capabilities = self.meta.and_then(|m| m.get(META_CAPABILITIES));
        if self.id.is_some()
            && !capabilities.is_some_and(Value::is_object)
            && !self.has(Mutant::RsDefaultsMissingCapabilities)
        {
            return Err(RpcError::bad_request(
                -32602,
                "Invalid params: _meta lacks io.modelcontextprotocol/clientCapabilities",
            ));
        }
        if !self.has(Mutant::RsIgnoresMcpHeaders) {
            self.validate_mirrored_headers()?;
        }
        if self.headers.contains_key("mcp-session-id") && self.has(Mutant::RsRejectsUnknownSession)
        {
            return Err(RpcError {
                status: StatusCode::NOT_FOUND,
                ..RpcError::new(-32600, "Unknown session")
            });
        }
        if self.headers.contains_key("last-event-id") && self.has(Mutant::RsRejectsLastEventId) {
            return Err(RpcError::bad_request(-32600, "Streams cannot be resumed"));
        }
        Ok(())
    }

    /// `Mcp-Method` and `Mcp-Name` must be present and equal the body's values (streamable
    /// HTTP §6.2, §6.5); names may come in the `=?base64?…?=` form.
    fn validate_mirrored_headers(&self) -> Result<(), RpcError> {
        let code = if self.has(Mutant::RsUndefinedReservedCode) {
            -32030
        } else {
            HEADER_MISMATCH
        };
        let mismatch = |what| Err(RpcError::bad_request(code, what));
        let Some(header_method) = header_text(self.headers, "mcp-method") else {
            return mismatch("Header mismatch: the Mcp-Method header is missing");
        };
        let same_method = if self.has(Mutant::RsMcpMethodCaseInsensitive) {
            header_method.eq_ignore_ascii_case(self.method)
        } else {
            header_method == self.method
        };
        if !same_method {
            return mismatch("Header mismatch: Mcp-Method differs from the body's method");
        }
        let name_key = match self.method {
            "tools/call" | "prompts/get" => "name",
            "resources/read" => "uri",
            _ => return Ok(()),
        };
        let body_name = self
            .params
            .and_then(|p| p.get(name_key))
            .and_then(Value::as_str);
        let Some(header_name) = header_text(self.headers, "mcp-name") else {
            return mismatch("Header mismatch: the Mcp-Name header is missing");
        };
        if decode_mirrored(header_name).as_deref() != body_name {
            return mismatch("Header mismatch: Mcp-Name differs from the body's value");
        }
        if self.method == "tools/call" && !self.has(Mutant::RsIgnoresParamHeaders) {
            // The one argument this server mirrors (x-mcp-header on `route`'s `region`).
            let region = self
                .params
                .filter(|p| p.get("name").and_then(Value::as_str) == Some(ROUTE_TOOL))
                .and_then(|p| p.get("arguments"))
                .and_then(|a| a.get("region"))
                .and_then(Value::as_str);
            if let Some(region) = region {
                let header = header_text(self.headers, "mcp-param-region");
                if header.and_then(decode_mirrored).as_deref() != Some(region) {
                    return mismatch(
                        "Header mismatch: Mcp-Param-Region is missing or differs from arguments.region",
                    );
                }
            }
        }
        Ok(())
    }

    /// Under `rs-requires-discover-first`: whether this caller already called server/discover.
    fn discovered(&self) -> bool {
        let key = self.credential.unwrap_or_default().to_owned();
        let mut seen = self.state.discovered_callers();
        if self.method == "server/discover" {
            if seen.len() >= 1024 {
                seen.clear();
            }
            seen.insert(key);
            return true;
        }
        seen.contains(&key)
    }

    fn result(&self, id: Value, mut result: Value) -> Response {
        if let Some(obj) = result.as_object_mut() {
            if !self.has(Mutant::RsNoResultType) {
                obj.entry("resultType").or_insert(json!("complete"));
            }
            if !self.has(Mutant::RsNoServerInfo) {
                obj.insert("_meta".into(), json!({ META_SERVER_INFO: server_info() }));
            }
            let cacheable = matches!(
                self.method,
                "server/discover"
                    | "tools/list"
                    | "prompts/list"
                    | "resources/list"
                    | "resources/templates/list"
                    | "resources/read"
            );
            if cacheable && !self.has(Mutant::RsNoCacheHints) {
                obj.insert("ttlMs".into(), json!(60_000));
                obj.insert("cacheScope".into(), json!("private"));
            }
        }
        let message = json!({"jsonrpc": "2.0", "id": id, "result": result});
        if self.has(Mutant::RsSseWithRequest) && matches!(self.method, "tools/list" | "tools/call")
        {
            // A server-to-client request on the response stream, which 2026-07-28 forbids.
            let request = json!({
                "jsonrpc": "2.0", "id": "srv-1", "method": "elicitation/create",
                "params": {"message": "Confirm", "requestedSchema": {"type": "object"}},
            });
            let stream =
                format!("event: message\ndata: {request}\n\nevent: message\ndata: {message}\n\n");
            return (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/event-stream"),
                )],
                stream,
            )
                .into_response();
        }
        if self.has(Mutant::RsTextPlainResponse) {
            return responses::json_with_type(StatusCode::OK, "text/plain", &message);
        }
        responses::json(StatusCode::OK, &message)
    }

    fn error(&self, e: RpcError) -> Response {
        let rejection = e.code == HEADER_MISMATCH
            || e.code == UNSUPPORTED_VERSION
            || e.code == PRERELEASE_UNSUPPORTED_VERSION;
        let id = if rejection && self.has(Mutant::RsNullIdOnRejection) {
            Value::Null
        } else {
            self.id.clone().unwrap_or(Value::Null)
        };
        let mut error = json!({"code": e.code, "message": e.message});
        if let Some(data) = e.data {
            error["data"] = data;
        }
        responses::json(
            e.status,
            &json!({"jsonrpc": "2.0", "id": id, "error": error}),
        )
    }
}

/// A mirrored header value, decoded from the `=?base64?…?=` form when it is in it.
fn decode_mirrored(value: &str) -> Option<String> {
    match value
        .strip_prefix("=?base64?")
        .and_then(|v| v.strip_suffix("?="))
    {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|b| String::from_utf8(b).ok()),
        None => Some(value.to_owned()),
    }
}

/// The methods this server implements, in both eras. `meta` is the modern request metadata.
fn dispatch(
    state: &AppState,
    method: &str,
    params: Option<&Map<String, Value>>,
    meta: Option<&Map<String, Value>>,
) -> Result<Value, RpcError> {
    let modern = meta.is_some();
    match method {
        "server/discover" if modern && !state.has(Mutant::RsNoDiscover) => Ok(json!({
            "supportedVersions": supported_versions(state),
            "capabilities": {"tools": {}, "resources": {}, "prompts": {}},
            "serverInfo": server_info(),
        })),
        "ping" => Ok(json!({})),
        "tools/list" => {
            let mut tools = vec![
                json!({
                    "name": "echo",
                    "description": "Returns the given text unchanged.",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"text": {"type": "string"}},
                        "required": ["text"],
                    },
                }),
                json!({
                    "name": ROUTE_TOOL,
                    "description": "Returns the region the request was routed to.",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
                        "required": ["region"],
                    },
                }),
            ];
            if state.has(Mutant::RsToolSnakeCaseSchema)
                && let Some(echo) = tools[0].as_object_mut()
                && let Some(schema) = echo.remove("inputSchema")
            {
                echo.insert("input_schema".into(), schema);
            }
            let client_name = meta
                .and_then(|m| m.get(META_CLIENT_INFO))
                .and_then(|i| i.get("name"))
                .and_then(Value::as_str);
            if state.has(Mutant::RsTrustsClientInfo) && client_name == Some("claude-ai") {
                tools.push(json!({
                    "name": "admin_shell",
                    "description": "Runs a shell command.",
                    "inputSchema": {"type": "object"},
                }));
            }
            Ok(json!({ "tools": tools }))
        }
        "tools/call" => {
            let params = params.ok_or(RpcError::new(-32602, "Invalid params"))?;
            let (tool, argument) = match params.get("name").and_then(Value::as_str) {
                Some("echo") => ("echo", "text"),
                Some(ROUTE_TOOL) => (ROUTE_TOOL, "region"),
                _ => return Err(RpcError::new(-32602, "Unknown tool")),
            };
            let declared = meta
                .and_then(|m| m.get(META_CAPABILITIES))
                .is_some_and(|c| c.get("elicitation").is_some());
            if tool == "echo" && modern && state.has(Mutant::RsInputRequestUndeclared) && !declared
            {
                return Ok(json!({
                    "resultType": "input_required",
                    "inputRequests": {"confirm": {
                        "method": "elicitation/create",
                        "params": {"message": "Confirm", "requestedSchema": {"type": "object"}},
                    }},
                }));
            }
            let text = params
                .get("arguments")
                .and_then(|a| a.get(argument))
                .and_then(Value::as_str)
                .ok_or(RpcError::new(
                    -32602,
                    "Invalid params: the tool's argument must be a string",
                ))?;
            Ok(json!({
                "content": [{"type": "text", "text": text}],
                "isError": false,
            }))
        }
        "resources/list" => Ok(json!({"resources": []})),
        "resources/templates/list" => Ok(json!({"resourceTemplates": []})),
        "prompts/list" => Ok(json!({"prompts": []})),
        "resources/read" => {
            // This server has no resources: every URI is unknown.
            let code = if modern && state.has(Mutant::RsLegacyResourceNotFound) {
                LEGACY_RESOURCE_NOT_FOUND
            } else {
                -32602
            };
            Err(RpcError::new(code, "Resource not found"))
        }
        _ if modern && !state.has(Mutant::RsUnknownMethod200) => Err(RpcError {
            status: StatusCode::NOT_FOUND,
            ..RpcError::new(-32601, "Method not found")
        }),
        _ => Err(RpcError::new(-32601, "Method not found")),
    }
}

fn rpc_error(status: StatusCode, id: Value, code: i64, message: &str) -> Response {
    responses::json(
        status,
        &json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}),
    )
}

/// Streamable HTTP §1: a present `Origin` must be this server's own (DNS rebinding). Requests
/// without one (every non-browser client) pass.
pub(crate) fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    state.has(Mutant::RsIgnoresOrigin) || origin.to_str().is_ok_and(|o| o == state.base.as_str())
}

/// The 403 for a foreign `Origin`, with an id-less JSON-RPC error as the transport allows.
pub(crate) fn forbidden_origin() -> Response {
    responses::json(
        StatusCode::FORBIDDEN,
        &json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Origin not allowed"}}),
    )
}
