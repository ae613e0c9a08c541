//! Predicates on the members of a JSON object (a metadata document, a registration).

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Verdict, fail, none_found, on_object};
use crate::checks::{Check, EvalContext};

pub fn untagged_defaults(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    on_object(value, |map| {
        let missing: BTreeSet<String> = map
            .keys()
            .filter_map(|k| k.split_once('#').map(|(base, _)| base))
            .filter(|base| !map.contains_key(*base))
            .map(str::to_string)
            .collect();
        none_found(
            &missing.into_iter().collect::<Vec<_>>(),
            "an untagged member beside each language-tagged one",
            "only tagged forms of ",
            ", ",
        )
    })
}

pub fn no_empty_members(except: &[String], value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    no_empty(except, false, value)
}

pub fn no_empty_arrays(except: &[String], value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    no_empty(except, true, value)
}

/// No member but those excepted is an empty array or, unless `arrays_only`, null, an empty
/// string or an empty object.
fn no_empty(except: &[String], arrays_only: bool, value: Option<&Value>) -> Verdict {
    on_object(value, |map| {
        let is_empty = |v: &Value| {
            v.as_array().is_some_and(Vec::is_empty)
                || (!arrays_only
                    && (v.is_null()
                        || v.as_str() == Some("")
                        || v.as_object().is_some_and(|o| o.is_empty())))
        };
        let empty: Vec<String> = map
            .iter()
            .filter(|(k, v)| !except.contains(k) && is_empty(v))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        none_found(
            &empty,
            "members without a value omitted",
            "empty members ",
            ", ",
        )
    })
}

pub fn at_most_one_of(names: &[String], value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    on_object(value, |map| {
        let present: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| map.contains_key(*n))
            .collect();
        if present.len() <= 1 {
            Ok(Check::Held)
        } else {
            fail(
                format!("at most one of {}", names.join(", ")),
                format!("both {}", present.join(" and ")),
            )
        }
    })
}

pub fn jwt_auth_algs(value: Option<&Value>, _: &EvalContext<'_>) -> Verdict {
    on_object(value, |doc| {
        let mut problems = Vec::new();
        for endpoint in [
            "token_endpoint",
            "revocation_endpoint",
            "introspection_endpoint",
        ] {
            let methods = doc
                .get(&format!("{endpoint}_auth_methods_supported"))
                .and_then(Value::as_array);
            let jwt = methods.is_some_and(|m| {
                m.iter()
                    .any(|x| x == "private_key_jwt" || x == "client_secret_jwt")
            });
            let algs_key = format!("{endpoint}_auth_signing_alg_values_supported");
            let algs = doc.get(&algs_key).and_then(Value::as_array);
            if jwt && algs.is_none_or(|a| a.is_empty()) {
                problems.push(format!(
                    "{endpoint} offers JWT client authentication but {algs_key} is missing"
                ));
            }
            if algs.is_some_and(|a| a.iter().any(|x| x == "none")) {
                problems.push(format!("{algs_key} lists none"));
            }
        }
        none_found(
            &problems,
            "signing algorithms (never none) listed for every endpoint that offers JWT client authentication",
            "",
            "; ",
        )
    })
}
