//! The embedded suites as `authspec list` shows them, read from the YAML at build time
//! (`build.rs`): listing the cases parses nothing. Only the fields a listing shows are there;
//! running, checking and `--suite` files go through the loader. A test of `cli/list.rs` keeps
//! what `list` prints from the listing equal to what it prints from the loader.

use super::model::{Case, Suite};
use crate::vocab::{Pos, SpecRevision};

/// One suite file, as listed.
pub struct ListedSuite {
    pub name: &'static str,
    pub title: &'static str,
    pub party: &'static str,
    pub cases: &'static [ListedCase],
}

/// One case, as listed (the strings as written in the file).
pub struct ListedCase {
    pub id: &'static str,
    pub title: &'static str,
    pub level: &'static str,
    pub party: Option<&'static str>,
    pub requirements: &'static [&'static str],
    pub mutants: &'static [&'static str],
    pub spec: &'static [&'static str],
    pub tags: &'static [&'static str],
}

/// `(path, suite)` of every file under `suites/`, in path order.
const LISTING: &[(&str, ListedSuite)] = include!(concat!(env!("OUT_DIR"), "/listing.rs"));

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The embedded server suites, then the client ones, in the loader's order, with the fields a
/// listing shows (no steps, no expectations); `None` if a file is missing from the listing.
pub fn embedded() -> Option<Vec<Suite>> {
    super::EMBEDDED
        .iter()
        .chain(super::CLIENT_EMBEDDED)
        .map(|(file, _)| {
            let (_, s) = LISTING.iter().find(|(name, _)| name == file)?;
            let party = super::load::parse_party(s.party);
            Some(Suite {
                name: s.name.to_string(),
                title: s.title.to_string(),
                spec_url: None,
                party,
                source: file.to_string(),
                cases: s.cases.iter().map(|c| case(c, s, party, file)).collect(),
            })
        })
        .collect()
}

fn case(c: &ListedCase, s: &ListedSuite, party: crate::vocab::Party, file: &str) -> Case {
    Case {
        id: c.id.to_string(),
        title: c.title.to_string(),
        suite: s.name.to_string(),
        section: c.id.split('/').nth(1).unwrap_or("").to_string(),
        level: super::load::parse_level(c.level),
        party: c.party.map(super::load::parse_party).unwrap_or(party),
        requirements: owned(c.requirements),
        mutants: owned(c.mutants),
        tags: owned(c.tags),
        spec: c
            .spec
            .iter()
            .filter_map(|r| SpecRevision::parse(r))
            .collect(),
        why: None,
        requires: Vec::new(),
        premise: Vec::new(),
        steps: Vec::new(),
        expect: Vec::new(),
        client: None,
        file: file.to_string(),
        pos: Pos::default(),
    }
}
