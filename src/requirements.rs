//! The requirement catalogue (`suites/requirements.json`), embedded, with links to the text.
//!
//! Case files cite catalogue ids; loading rejects an unknown id, and reports link every
//! finding to the RFC or spec section it rests on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

const CATALOGUE: &str = include_str!("../suites/requirements.json");

/// One normative statement.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Requirement {
    pub id: String,
    pub source: String,
    pub section: String,
    pub level: String,
    pub party: String,
    pub requirement: String,
    pub testability: String,
    #[serde(default)]
    pub probe: String,
    #[serde(default)]
    pub mutant: String,
}

impl Requirement {
    /// A link to the section of the document the requirement comes from.
    pub fn url(&self) -> String {
        let section = self
            .section
            .trim_start_matches('§')
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        let anchor = if section.is_empty() {
            String::new()
        } else {
            format!("#section-{section}")
        };
        let src = self.source.as_str();
        if let Some(n) = src.strip_prefix("RFC ") {
            return format!("https://www.rfc-editor.org/rfc/rfc{n}.html{anchor}");
        }
        if src.starts_with("OAuth 2.1") {
            return format!(
                "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-16{anchor}"
            );
        }
        if src.starts_with("CIMD") {
            return format!(
                "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document{anchor}"
            );
        }
        if src.contains("Security Best Practices") {
            return "https://modelcontextprotocol.io/specification/2025-11-25/basic/security_best_practices".into();
        }
        if let Some(rev) = src.strip_prefix("MCP ") {
            return format!(
                "https://modelcontextprotocol.io/specification/{rev}/basic/authorization"
            );
        }
        String::new()
    }
}

/// The whole catalogue, by id.
#[derive(Clone, Debug)]
pub struct Catalogue {
    by_id: BTreeMap<String, Requirement>,
}

impl Catalogue {
    /// The catalogue shipped in the binary.
    pub fn embedded() -> Catalogue {
        // The file is part of the build; a parse failure is caught by the test suite.
        let list: Vec<Requirement> = serde_json::from_str(CATALOGUE).unwrap_or_default();
        Catalogue {
            by_id: list.into_iter().map(|r| (r.id.clone(), r)).collect(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.by_id.get(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Requirement> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The id closest to a misspelt one.
    pub fn closest(&self, id: &str) -> Option<&str> {
        self.by_id
            .keys()
            .map(|k| (strsim::levenshtein(id, k), k.as_str()))
            .filter(|(d, _)| *d <= 6)
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_parses() {
        let c = Catalogue::embedded();
        assert!(c.len() > 300);
        let r = c.get("rfc9728.3.3.resource-matches-base").expect("present");
        assert_eq!(
            r.url(),
            "https://www.rfc-editor.org/rfc/rfc9728.html#section-3.3"
        );
    }
}
