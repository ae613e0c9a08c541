//! The embedded suites as `authspec list` shows them, read from the YAML at build time
//! (`build.rs`): listing the cases parses nothing. Only the fields a listing shows are there;
//! running, checking and `--suite` files go through the loader. A test of `cli/list.rs` keeps
//! what `list` prints from the listing equal to what it prints from the loader.

use super::model::{Case, Suite};
use crate::vocab::{Pos, SpecRevision};

/// `(path, listing)` of every file under `suites/`, in path order. A listing is one string of
/// records (`\x1d` apart): the suite's name, title and party, then one record per case with
/// its id, title, level, party, requirements, mutants, revisions and tags (fields `\x1f`
/// apart, list items `\x1e` apart), each as written in the file.
const LISTING: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/listing.rs"));

fn items(field: &str) -> Vec<String> {
    field
        .split('\u{1e}')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The embedded server suites, then the client ones, in the loader's order, with the fields a
/// listing shows (no steps, no expectations); `None` if a file is missing from the listing.
pub fn embedded() -> Option<Vec<Suite>> {
    super::EMBEDDED
        .iter()
        .chain(super::CLIENT_EMBEDDED)
        .map(|(file, _)| {
            let (_, listed) = LISTING.iter().find(|(name, _)| name == file)?;
            let mut records = listed.split('\u{1d}');
            let mut head = records.next()?.split('\u{1f}');
            let (name, title, party) = (head.next()?, head.next()?, head.next()?);
            let party = super::load::parse_party(party);
            let cases = records
                .map(|r| case(&r.split('\u{1f}').collect::<Vec<_>>(), name, party, file))
                .collect::<Option<Vec<_>>>()?;
            Some(Suite {
                name: name.to_string(),
                title: title.to_string(),
                spec_url: None,
                party,
                source: file.to_string(),
                cases,
            })
        })
        .collect()
}

fn case(f: &[&str], suite: &str, party: crate::vocab::Party, file: &str) -> Option<Case> {
    let [
        id,
        title,
        level,
        case_party,
        requirements,
        mutants,
        spec,
        tags,
    ] = f
    else {
        return None;
    };
    Some(Case {
        id: id.to_string(),
        title: title.to_string(),
        suite: suite.to_string(),
        section: id.split('/').nth(1).unwrap_or("").to_string(),
        level: super::load::parse_level(level),
        party: Some(*case_party)
            .filter(|p| !p.is_empty())
            .map(super::load::parse_party)
            .unwrap_or(party),
        requirements: items(requirements),
        mutants: items(mutants),
        tags: items(tags),
        spec: items(spec)
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
    })
}
