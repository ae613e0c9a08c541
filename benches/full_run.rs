//! Times a full run (every case, every revision) against the in-process reference server.
//!
//! `cargo bench --bench full_run` prints wall time per run (min / median / max over several
//! runs), the requests one run sends, and the process's peak resident memory.

use std::time::{Duration, Instant};

use authspec::requirements::Catalogue;
use authspec::selftest;
use authspec::vocab::SpecRevision;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    // `cargo test --benches` passes --bench-less flags; a quick smoke run is enough there.
    let iterations: usize = if std::env::args().any(|a| a == "--bench") {
        20
    } else {
        1
    };
    let catalogue = Catalogue::embedded();
    let cases = selftest::embedded_cases(&catalogue).expect("embedded suites load");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut times: Vec<Duration> = Vec::new();
    let mut requests = 0;
    for _ in 0..iterations {
        let started = Instant::now();
        for rev in SpecRevision::ALL {
            let group: Vec<_> = cases
                .iter()
                .filter(|c| c.applies_to(rev))
                .cloned()
                .collect();
            let report = rt
                .block_on(selftest::run_cases(&group, None, rev, &catalogue, 8))
                .expect("run");
            assert_eq!(
                report.summary.failed + report.summary.errored,
                0,
                "the reference server must pass"
            );
            requests += report.requests;
        }
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "full run ({} cases, every revision): min {:.1} ms, median {:.1} ms, max {:.1} ms over {} runs; {} requests per run; peak RSS {} KiB",
        cases.len(),
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        iterations,
        requests / iterations,
        peak_rss_kib()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "n/a".into()),
    );
}
