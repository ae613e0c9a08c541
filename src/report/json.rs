//! The JSON reporter: the report as published by `fixtures/schemas/report.schema.json`.

use super::{ReportContext, Reporter};
use crate::result::RunReport;

/// The `json` kind.
pub struct Json;

impl Reporter for Json {
    fn kind(&self) -> &'static str {
        "json"
    }

    fn render(&self, report: &RunReport, _cx: &ReportContext<'_>) -> String {
        render(report)
    }
}

pub fn render(report: &RunReport) -> String {
    serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the report: {e}\"}}"))
}
