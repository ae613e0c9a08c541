//! Selection: which cases of the loaded suites a run executes.

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::model::{Case, Suite};

use crate::vocab::{Level, SpecRevision};

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Ids or globs; empty selects everything.
    pub include: Vec<String>,
    pub skip: Vec<String>,
    pub tags: Vec<String>,
    /// The weakest level selected: `Must` runs MUST cases only, `May` runs all.
    pub level: Level,
    pub spec: SpecRevision,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            include: Vec::new(),
            skip: Vec::new(),
            tags: Vec::new(),
            level: Level::May,
            spec: SpecRevision::DEFAULT,
        }
    }
}

fn globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("invalid pattern `{p}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// Tags of cases that run only when asked for by tag (`--tag load`) or by their exact id (not
/// a glob): they send many requests on purpose.
pub const OPT_IN_TAGS: &[&str] = &["load"];

/// Whether a run selects this case: opt-in cases only when a tag or their id asks for them.
fn opted_in(c: &Case, sel: &Selection) -> bool {
    let opt_in = c.tags.iter().any(|t| OPT_IN_TAGS.contains(&t.as_str()));
    !opt_in || sel.include.contains(&c.id) || c.tags.iter().any(|t| sel.tags.contains(t))
}

/// The cases to run, in suite order.
pub fn select(suites: &[Suite], sel: &Selection) -> Result<Vec<Case>, String> {
    let include = globset(&sel.include)?;
    let skip = globset(&sel.skip)?;
    Ok(suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .filter(|c| sel.include.is_empty() || include.is_match(&c.id))
        .filter(|c| !skip.is_match(&c.id))
        .filter(|c| sel.tags.is_empty() || c.tags.iter().any(|t| sel.tags.contains(t)))
        .filter(|c| opted_in(c, sel))
        .filter(|c| c.level <= sel.level)
        .filter(|c| c.applies_to(sel.spec))
        .cloned()
        .collect())
}
