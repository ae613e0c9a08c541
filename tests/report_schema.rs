//! The committed report schema is the one generated from the Rust types, and real reports
//! validate against it. Set AUTHSPEC_BLESS=1 to rewrite the committed copy after a change.

use authspec::result::model::report_schema;

const COMMITTED: &str = "fixtures/schemas/report.schema.json";

#[test]
fn committed_schema_matches_the_types() {
    let generated =
        serde_json::to_string_pretty(&report_schema()).expect("schema serialises") + "\n";
    if std::env::var_os("AUTHSPEC_BLESS").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write the schema");
    }
    let committed = std::fs::read_to_string(COMMITTED).expect("the committed schema");
    assert_eq!(
        committed, generated,
        "the report types changed: rerun with AUTHSPEC_BLESS=1 and commit {COMMITTED}"
    );
}

#[test]
fn generated_schema_is_valid_draft_2020_12() {
    let schema = report_schema();
    assert!(jsonschema::draft202012::new(&schema).is_ok());
}
