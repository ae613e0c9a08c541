//! The reference server's audit log over a whole run: valid JSON lines, every kind of event,
//! and none of the secrets the run handled.

use std::io::Write;
use std::sync::{Arc, Mutex};

use authspec::actions::context::AuthOptions;
use authspec::requirements::Catalogue;
use authspec::selftest;
use authspec::vocab::SpecRevision;
use reference_server::{AuditLog, Config};
use serde_json::Value;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_full_run_leaves_an_audit_log_of_json_lines_without_secrets() {
    let catalogue = Catalogue::embedded();
    let cases = selftest::embedded_cases(&catalogue).expect("suites load");
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| c.applies_to(SpecRevision::DEFAULT))
        .collect();
    let captured = Captured::default();
    let config = Config {
        audit: Some(AuditLog::writer(captured.clone())),
        ..Config::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (report, secrets) = rt
        .block_on(selftest::run_configured(
            &cases,
            config,
            AuthOptions::default(),
            SpecRevision::DEFAULT,
            &catalogue,
            8,
        ))
        .expect("run");
    assert_eq!(report.summary.failed + report.summary.errored, 0);
    assert!(secrets.len() > 20, "saw only {} secrets", secrets.len());

    let text = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    let mut kinds = std::collections::BTreeSet::new();
    for line in text.lines() {
        let event: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(event["time"].is_string(), "{line}");
        kinds.insert(event["event"].as_str().unwrap_or_default().to_owned());
    }
    for kind in [
        "token_use",
        "grant",
        "refresh",
        "revocation",
        "client_deleted",
    ] {
        assert!(kinds.contains(kind), "no {kind} event in {kinds:?}");
    }
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !text.contains(secret.as_str()),
            "a secret the run handled is in the audit log"
        );
    }
    // Nothing shaped like a JWS either (the forged and foreign tokens are not secrets of the run).
    assert!(
        !text.contains("eyJ"),
        "a JWT-looking value is in the audit log"
    );
}
