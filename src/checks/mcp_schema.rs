//! MCP messages against the JSON Schema their revision publishes (`fixtures/schemas/mcp/`,
//! copied from the specification repository; see the README there).
//!
//! A message is judged against the definition of its shape (request, notification, result or
//! error response), and a successful result of a method this table knows against that method's
//! result type too. Each (revision, definition) is compiled on first use and kept for the
//! process, so a run that never checks a message compiles nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::transcript::Exchange;
use crate::vocab::SpecRevision;

/// The published schemas, by revision.
fn source(rev: SpecRevision) -> &'static str {
    match rev {
        SpecRevision::V2025_06_18 => include_str!("../../fixtures/schemas/mcp/2025-06-18.json"),
        SpecRevision::V2025_11_25 => include_str!("../../fixtures/schemas/mcp/2025-11-25.json"),
        SpecRevision::V2026_07_28 => include_str!("../../fixtures/schemas/mcp/2026-07-28.json"),
    }
}

/// Where a revision keeps its definitions (2025-06-18 is draft-07, later ones 2020-12).
fn defs_key(rev: SpecRevision) -> &'static str {
    match rev {
        SpecRevision::V2025_06_18 => "definitions",
        _ => "$defs",
    }
}

type Compiled = Option<Arc<jsonschema::Validator>>;

/// The validator of one definition of one revision, compiled once; `None` when the revision has
/// no such definition.
fn validator(rev: SpecRevision, def: &'static str) -> Compiled {
    static CACHE: OnceLock<Mutex<HashMap<(SpecRevision, &'static str), Compiled>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry((rev, def))
        .or_insert_with(|| {
            let mut doc: Value = serde_json::from_str(source(rev)).ok()?;
            let key = defs_key(rev);
            doc.get(key)?.get(def)?;
            // The whole document, with its root pointing at the one definition.
            doc.as_object_mut()?
                .insert("$ref".into(), Value::String(format!("#/{key}/{def}")));
            jsonschema::validator_for(&doc).ok().map(Arc::new)
        })
        .clone()
}

/// The definition a message's shape names.
fn message_def(rev: SpecRevision, msg: &Value) -> &'static str {
    let legacy = rev == SpecRevision::V2025_06_18;
    match (
        msg.get("method").is_some(),
        msg.get("id").is_some(),
        msg.get("result").is_some(),
        msg.get("error").is_some(),
    ) {
        (true, true, _, _) => "JSONRPCRequest",
        (true, false, _, _) => "JSONRPCNotification",
        (false, _, true, false) if legacy => "JSONRPCResponse",
        (false, _, true, false) => "JSONRPCResultResponse",
        (false, _, false, true) if legacy => "JSONRPCError",
        (false, _, false, true) => "JSONRPCErrorResponse",
        _ => "JSONRPCMessage",
    }
}

/// The result type of a method, where the schema names one (unknown methods are not judged).
fn result_def(method: &str, result: &Value) -> Option<&'static str> {
    if result.get("resultType").and_then(Value::as_str) == Some("input_required") {
        return Some("InputRequiredResult");
    }
    Some(match method {
        "initialize" => "InitializeResult",
        "server/discover" => "DiscoverResult",
        "ping" | "logging/setLevel" | "resources/subscribe" | "resources/unsubscribe" => {
            "EmptyResult"
        }
        "tools/list" => "ListToolsResult",
        "tools/call" => "CallToolResult",
        "resources/list" => "ListResourcesResult",
        "resources/templates/list" => "ListResourceTemplatesResult",
        "resources/read" => "ReadResourceResult",
        "prompts/list" => "ListPromptsResult",
        "prompts/get" => "GetPromptResult",
        "completion/complete" => "CompleteResult",
        _ => return None,
    })
}

/// How long a schema error may read in a finding.
const ERROR_CHARS: usize = 160;

fn first_error(v: &jsonschema::Validator, instance: &Value, prefix: &str) -> Option<String> {
    let e = v.iter_errors(instance).next()?;
    let mut text = e.to_string();
    if text.chars().count() > ERROR_CHARS {
        text = text.chars().take(ERROR_CHARS).collect::<String>() + "…";
    }
    let at = format!("{prefix}{}", e.instance_path().as_str());
    Some(format!("{}: {text}", if at.is_empty() { "/" } else { &at }))
}

/// What is wrong with one JSON-RPC message under `rev`: the JSON pointer of the failing
/// instance and the schema's error, for the message's shape and, for a result of a method
/// `request_method` names, for the result type. `None` when it validates.
pub fn message_fault(
    rev: SpecRevision,
    msg: &Value,
    request_method: Option<&str>,
) -> Option<String> {
    let def = message_def(rev, msg);
    // JSON-RPC 2.0 §5 answers a request whose id could not be read with `id: null`; the MCP
    // schemas leave the id out there (or, in 2025-06-18, forget the case), so a null id on an
    // error is read as the schemas' placeholder, not judged.
    let patched;
    let msg = if msg.get("error").is_some() && msg.get("id").is_some_and(Value::is_null) {
        let mut m = msg.clone();
        m["id"] = Value::from(0);
        patched = m;
        &patched
    } else {
        msg
    };
    if let Some(v) = validator(rev, def)
        && let Some(fault) = first_error(&v, msg, "")
    {
        return Some(format!("{fault} ({def})"));
    }
    let result = msg.get("result")?;
    let def = result_def(request_method?, result)?;
    let v = validator(rev, def)?;
    first_error(&v, result, "/result").map(|fault| format!("{fault} ({def})"))
}

/// The revision an exchange with the MCP endpoint spoke: the version `initialize` settled on,
/// else the one the request named (header, trimmed, then `_meta`), else the run's; a 2025
/// answer to a 2026-07-28 request, 2025-11-25. `None` when it spoke a version authspec has no
/// schema for (2025-03-26, a made-up one): not judged.
pub fn revision_of(
    ex: &Exchange,
    request: Option<&Value>,
    answer: &[Value],
    run: SpecRevision,
) -> Option<SpecRevision> {
    let named = |v: Option<&str>| v.map(|v| SpecRevision::parse(v.trim()));
    let method = request
        .and_then(|r| r.get("method"))
        .and_then(Value::as_str);
    if method == Some("initialize") {
        let settled = answer
            .iter()
            .find_map(|m| m.pointer("/result/protocolVersion").and_then(Value::as_str));
        let asked = request
            .and_then(|r| r.pointer("/params/protocolVersion"))
            .and_then(Value::as_str);
        return named(settled).or(named(asked)).unwrap_or(Some(run));
    }
    let header = ex
        .request_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("mcp-protocol-version"))
        .map(|(_, v)| v.as_str());
    let meta = request
        .and_then(|r| r.pointer("/params/_meta"))
        .and_then(|m| m.get("io.modelcontextprotocol/protocolVersion"))
        .and_then(Value::as_str);
    let rev = named(header).or(named(meta)).unwrap_or(Some(run))?;
    // A result without resultType to a 2026-07-28 request is a 2025 answer: the server does not
    // speak the stateless model (mcp-2026/versioning.2/server-discover and
    // mcp-2026/basic.1.2.1/result-type judge that); its message is held to 2025-11-25's schema.
    let answered_2025 = answer.iter().any(|m| {
        m.get("result")
            .and_then(Value::as_object)
            .is_some_and(|r| !r.contains_key("resultType"))
    });
    Some(if rev == SpecRevision::V2026_07_28 && answered_2025 {
        SpecRevision::V2025_11_25
    } else {
        rev
    })
}

/// The JSON-RPC messages of a response body: the body itself (or each member of a batch), or
/// each `data:` event of an event stream. Only objects with a `jsonrpc` member count: a body
/// that is no JSON-RPC message at all (an OAuth error on a 401, an HTML page) is not judged
/// here, nor is a body the transcript cut short.
fn messages(ex: &Exchange) -> Vec<Value> {
    let Some(body) = ex.response_body.as_deref() else {
        return Vec::new();
    };
    let stream = ex.response_headers_named("content-type").any(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/event-stream"))
    });
    let values = if stream {
        crate::http::sse_messages(body.as_bytes())
    } else {
        serde_json::from_str::<Value>(body)
            .ok()
            .into_iter()
            .collect()
    };
    values
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(batch) => batch,
            other => vec![other],
        })
        .filter(|m| m.get("jsonrpc").is_some())
        .collect()
}

/// What the schema says of one exchange with the MCP endpoint: `None` when it carried no
/// JSON-RPC message (or spoke a revision without a schema here), else the revision judged by
/// and each message's fault (event `n` of a stream is named as such).
pub fn exchange_faults(ex: &Exchange, run: SpecRevision) -> Option<(SpecRevision, Vec<String>)> {
    let answer = messages(ex);
    if answer.is_empty() {
        return None;
    }
    let request: Option<Value> = ex
        .request_body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok());
    let rev = revision_of(ex, request.as_ref(), &answer, run)?;
    let method = request
        .as_ref()
        .and_then(|r| r.get("method"))
        .and_then(Value::as_str);
    let many = answer.len() > 1;
    let faults = answer
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            // Only the response to the request is its method's result.
            let answers_request =
                m.get("id").is_some() && m.get("id") == request.as_ref().and_then(|r| r.get("id"));
            // An HTTP-level refusal (a foreign Origin, a bad version header, an unknown session)
            // comes before the message is read; 2025-11-25 transports let its JSON-RPC error
            // have no id. That leniency is applied under every revision: an id-less error on a
            // 4xx or 5xx is read as `id: null`, which message_fault does not judge.
            let patched;
            let m = if ex.status.is_some_and(|s| s >= 400)
                && m.get("error").is_some()
                && m.get("id").is_none()
            {
                let mut p = m.clone();
                p["id"] = Value::Null;
                patched = p;
                &patched
            } else {
                m
            };
            let fault = message_fault(rev, m, method.filter(|_| answers_request))?;
            Some(if many {
                format!("event {}: {fault}", i + 1)
            } else {
                fault
            })
        })
        .collect();
    Some((rev, faults))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tools_list_result_is_judged_by_its_revision() {
        let good = json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": [
            {"name": "echo", "inputSchema": {"type": "object"}}
        ]}});
        assert_eq!(
            message_fault(SpecRevision::V2025_06_18, &good, Some("tools/list")),
            None
        );
        assert_eq!(
            message_fault(SpecRevision::V2025_11_25, &good, Some("tools/list")),
            None
        );
        // 2026-07-28 results say resultType and carry cache hints.
        let fault = message_fault(SpecRevision::V2026_07_28, &good, Some("tools/list"));
        assert!(fault.is_some_and(|f| f.starts_with("/result")));
        let bad = json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": [
            {"name": "echo", "input_schema": {"type": "object"}}
        ]}});
        let fault = message_fault(SpecRevision::V2025_11_25, &bad, Some("tools/list"));
        assert!(
            fault
                .as_deref()
                .is_some_and(|f| f.starts_with("/result/tools/0") && f.contains("inputSchema")),
            "{fault:?}"
        );
        // An unknown method's result is only a result.
        assert_eq!(
            message_fault(SpecRevision::V2025_11_25, &bad, Some("x/y")),
            None
        );
    }

    #[test]
    fn a_2025_answer_to_a_2026_request_is_a_2025_answer() {
        let ex = Exchange {
            block: String::new(),
            method: "POST".into(),
            url: "https://rs.example/mcp".into(),
            request_headers: vec![("MCP-Protocol-Version".into(), " 2026-07-28 ".into())],
            request_body: Some(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#.into()),
            status: Some(200),
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: Some(r#"{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}"#.into()),
            elapsed_ms: 0,
            error: None,
        };
        let run = SpecRevision::V2026_07_28;
        assert_eq!(
            exchange_faults(&ex, run),
            Some((SpecRevision::V2025_11_25, vec![]))
        );
        let modern = Exchange {
            response_body: Some(
                r#"{"jsonrpc":"2.0","id":1,"result":{"tools":[],"resultType":"complete"}}"#.into(),
            ),
            ..ex.clone()
        };
        let (rev, faults) = exchange_faults(&modern, run).unwrap_or_else(|| panic!("judged"));
        assert_eq!(rev, SpecRevision::V2026_07_28);
        assert!(
            faults[0].contains("ttlMs") || faults[0].contains("cacheScope"),
            "{faults:?}"
        );
        let unknown = Exchange {
            request_headers: vec![("MCP-Protocol-Version".into(), "2025-03-26".into())],
            ..ex
        };
        assert_eq!(exchange_faults(&unknown, run), None);
    }

    #[test]
    fn errors_and_their_ids() {
        let e = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}});
        for rev in SpecRevision::ALL {
            assert_eq!(message_fault(rev, &e, None), None, "{rev}");
        }
        let bad = json!({"jsonrpc": "2.0", "id": 3, "error": {"code": "x", "message": "m"}});
        let fault = message_fault(SpecRevision::V2026_07_28, &bad, None);
        assert!(fault.is_some_and(|f| f.starts_with("/error/code")));
    }
}
