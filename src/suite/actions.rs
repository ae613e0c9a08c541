//! The step actions of a suite file: one table row per keyword, each with the function that
//! reads its arguments into the model. The loader's list of step keywords comes from this
//! table, so adding an action is one row, one reader here, its type in [`super::model`] and its
//! behaviour in the actions layer (`src/actions/steps.rs` dispatches one line per action).

use serde_json::{Map, Value};

use super::model::*;

/// Reads a step action's arguments (already schema-checked).
pub type Reader = fn(&Map<String, Value>, &str) -> Action;

/// Every step action: its keyword and its reader.
pub const STEP_ACTIONS: &[(&str, Reader)] = &[
    ("http", http),
    ("fetch_resource_metadata", fetch_resource_metadata),
    ("fetch_as_metadata", fetch_as_metadata),
    ("call_resource", call_resource),
    ("register_client", register_client),
    ("authorize", authorize),
    ("token", token),
    ("refresh", token),
    ("revoke", revoke),
    ("introspect", introspect),
    ("flow", flow),
    ("cimd_client", cimd_client),
];

/// The reader of a step keyword.
pub fn reader(keyword: &str) -> Option<Reader> {
    STEP_ACTIONS
        .iter()
        .find(|(k, _)| *k == keyword)
        .map(|(_, r)| *r)
}

/// Whether `keyword` names a step action.
pub fn is_action(keyword: &str) -> bool {
    reader(keyword).is_some()
}

fn http(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::Http(HttpAction {
        method: text("method").unwrap_or_else(|| "GET".into()),
        url: text("url").unwrap_or_default(),
        headers: pairs(a.get("headers")),
        body: text("body"),
        json: a.get("json").cloned(),
        form: pairs(a.get("form")),
        tls: text("tls"),
    })
}

fn fetch_resource_metadata(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::FetchResourceMetadata {
        via: match text("via").as_deref() {
            Some("challenge") => DiscoveryVia::Challenge,
            Some("path-inserted") => DiscoveryVia::PathInserted,
            Some("root") => DiscoveryVia::Root,
            _ => DiscoveryVia::Auto,
        },
        required: a.get("required").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn fetch_as_metadata(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::FetchAsMetadata {
        via: match text("via").as_deref() {
            Some("oauth") => AsMetadataVia::Oauth,
            Some("oidc") => AsMetadataVia::Oidc,
            _ => AsMetadataVia::Auto,
        },
        issuer: text("issuer"),
        required: a.get("required").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn register_client(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::RegisterClient(RegisterAction {
        label: text("label").unwrap_or_else(|| "main".into()),
        metadata: a
            .get("metadata")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        body: text("body"),
        content_type: text("content_type"),
        or_given: a.get("or_given").and_then(Value::as_bool).unwrap_or(false),
    })
}

fn authorize(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::Authorize(AuthorizeAction {
        client: text("client"),
        verifier: text("verifier"),
        params: params_of(a, &["client", "verifier"]),
    })
}

fn token(a: &Map<String, Value>, keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::Token(TokenAction {
        grant: if keyword == "refresh" {
            Grant::RefreshToken
        } else {
            Grant::AuthorizationCode
        },
        client: text("client"),
        client_auth: match text("client_auth").as_deref() {
            Some("none") => ClientAuth::None,
            Some("basic") => ClientAuth::Basic,
            Some("post") => ClientAuth::Post,
            Some("both") => ClientAuth::Both,
            Some("query") => ClientAuth::Query,
            _ => ClientAuth::Registered,
        },
        concurrent: a
            .get("concurrent")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .clamp(1, 64) as u32,
        rounds: a
            .get("rounds")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .clamp(1, 100) as u32,
        optional: a.get("optional") == Some(&Value::Bool(true)),
        attempts: a
            .get("attempts")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .clamp(1, 500) as u32,
        params: params_of(
            a,
            &[
                "client",
                "client_auth",
                "concurrent",
                "rounds",
                "optional",
                "attempts",
            ],
        ),
    })
}

fn revoke(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::Revoke(RevokeAction {
        token: text("token").unwrap_or_else(|| "access".into()),
    })
}

fn introspect(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::Introspect(RevokeAction {
        token: text("token").unwrap_or_else(|| "access".into()),
    })
}

fn flow(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::Flow(FlowAction {
        until: match text("until").as_deref() {
            Some("client") => FlowStage::Client,
            Some("code") => FlowStage::Code,
            _ => FlowStage::Token,
        },
        register: a
            .get("register")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        params: params_of(a, &["until", "register"]),
    })
}

fn cimd_client(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::CimdClient(CimdAction {
        label: text("label").unwrap_or_else(|| "main".into()),
        client_id: text("client_id"),
        document: object(a.get("document")),
        serve: a
            .get("serve")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|x| {
                        let t = |k: &str| x.get(k).and_then(Value::as_str).map(str::to_string);
                        ServeAnswer {
                            status: x
                                .get("status")
                                .and_then(Value::as_u64)
                                .and_then(|n| u16::try_from(n).ok()),
                            body: t("body"),
                            content_type: t("content_type"),
                            cache_control: t("cache_control"),
                            location: t("location"),
                            pad_to: x
                                .get("pad_to")
                                .and_then(Value::as_u64)
                                .and_then(|n| usize::try_from(n).ok()),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        canary: a.get("canary") == Some(&Value::Bool(true)),
        hosted: a.get("hosted") == Some(&Value::Bool(true)),
        needs_fetch: a.get("needs_fetch") != Some(&Value::Bool(false)),
        unadvertised: a.get("unadvertised") == Some(&Value::Bool(true)),
    })
}

fn call_resource(a: &Map<String, Value>, _keyword: &str) -> Action {
    let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
    Action::CallResource(CallResource {
        method: text("method").unwrap_or_else(|| "POST".into()),
        rpc: match a.get("rpc") {
            Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            _ => Some(HELLO.into()),
        },
        token: text("token"),
        scheme: text("scheme").unwrap_or_else(|| "Bearer".into()),
        placement: match text("token_in").as_deref() {
            Some("query") => TokenPlacement::Query,
            Some("body") => TokenPlacement::Body,
            Some("header-and-body") => TokenPlacement::HeaderAndBody,
            _ => TokenPlacement::Header,
        },
        authorization: text("authorization"),
        headers: a
            .get("headers")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                    .collect()
            })
            .unwrap_or_default(),
        params: object(a.get("params")),
        meta: object(a.get("meta")),
        notification: a.get("notification") == Some(&Value::Bool(true)),
    })
}

pub(super) fn object(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Request-parameter overrides: every member but the action's own options.
fn params_of(a: &Map<String, Value>, own: &[&str]) -> Vec<(String, Param)> {
    a.iter()
        .filter(|(k, _)| !own.contains(&k.as_str()))
        .map(|(k, v)| {
            let p = match v {
                Value::Null => Param::Omit,
                Value::Array(items) => Param::Many(
                    items
                        .iter()
                        .map(|i| i.as_str().unwrap_or_default().to_string())
                        .collect(),
                ),
                Value::String(s) => Param::One(s.clone()),
                other => Param::One(other.to_string()),
            };
            (k.clone(), p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_to_its_keyword() {
        for (keyword, read) in STEP_ACTIONS {
            let action = read(&Map::new(), keyword);
            assert_eq!(action.keyword(), *keyword);
        }
    }
}
