//! The JSON reporter: the report as published by `fixtures/schemas/report.schema.json`.

use super::model::RunReport;

pub fn render(report: &RunReport) -> String {
    serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the report: {e}\"}}"))
}
