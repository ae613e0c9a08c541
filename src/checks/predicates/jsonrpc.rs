//! Predicates on MCP's JSON-RPC bodies.

use serde_json::Value;

use super::{Verdict, held};
use crate::checks::EvalContext;

/// No JSON-RPC `result` in the body, whether plain JSON, a batch or an SSE stream.
pub fn no_jsonrpc_result(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    let has_result = |v: &Value| v.get("result").is_some();
    let leaked = match value {
        Some(Value::String(s)) => {
            serde_json::from_str::<Value>(s)
                .ok()
                .is_some_and(|v| match &v {
                    Value::Array(items) => items.iter().any(has_result),
                    other => has_result(other),
                })
                || s.lines()
                    .any(|l| l.starts_with("data:") && l.contains("\"result\""))
        }
        Some(v) => has_result(v),
        None => false,
    };
    held(
        !leaked,
        "no JSON-RPC result for an unauthorized request",
        value,
    )
}
