//! Times what users feel, with the release binary as a child process:
//!
//! - **wan**: `run --level may` (current revision) against the reference server behind an
//!   in-process proxy that delays every chunk by 20 ms each way (a 40 ms round trip), with the
//!   most connections open to that origin at once: over https (the reference server offers
//!   HTTP/2) and over plain http (HTTP/1.1; the https-only cases skip);
//! - **loopback must** and **loopback may**: `run --target URL` and `run --target URL --level
//!   may` against `authspec serve --cimd-loopback`, its own process (the console report, as a
//!   user sees it);
//! - **bundled must** and **bundled may**: `run` and `run --level may` with no target, the
//!   reference server in the same process (what the README's first command does);
//! - **start-up**: `list` and `--help`;
//! - **client**: `client --command "<authspec> mock-client"`, every scenario of one revision.
//!
//! Each prints the median wall time (and min–max) over several runs, the requests one run sends
//! and the peak resident memory of the authspec process that runs the cases (`wait4`'s `ru_maxrss`). Nothing here
//! asserts a time: the figures are for people, and these machines are noisy.
//!
//! ```sh
//! cargo bench --bench speed                           # the binary this build made
//! AUTHSPEC_BIN=/tmp/authspec-old cargo bench --bench speed   # another build, side by side
//! SPEED_RUNS=20 SPEED_ONLY=wan,startup cargo bench --bench speed
//! ```

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reference_server::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The one-way delay the proxy adds.
const ONE_WAY: Duration = Duration::from_millis(20);

struct Sample {
    wall: Duration,
    max_rss_kib: u64,
    stdout: String,
    code: i32,
}

/// Where `time` (GNU) lives: a small parent, so the peak RSS it reports is the child's own.
/// (A child forked from this process inherits its high-water mark until it execs, and
/// `wait4`'s `ru_maxrss` keeps it.)
const GNU_TIME: &str = "/usr/bin/time";

/// Runs `bin args` (under GNU `time` for the peak RSS, where it is installed) and keeps its
/// stdout. The wall time is this process's own clock around the child.
fn measure(bin: &str, args: &[&str]) -> Sample {
    let rss_file = std::env::temp_dir().join(format!("authspec-speed-rss-{}", std::process::id()));
    let mut cmd = if std::path::Path::new(GNU_TIME).exists() {
        let mut c = Command::new(GNU_TIME);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let started = Instant::now();
    let mut child = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let mut stdout = String::new();
    let _ = child
        .stdout
        .take()
        .map(|mut o| o.read_to_string(&mut stdout));
    let status = child.wait().expect("wait");
    let wall = started.elapsed();
    let max_rss_kib = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    let _ = std::fs::remove_file(&rss_file);
    Sample {
        wall,
        max_rss_kib,
        stdout,
        code: status.code().unwrap_or(-1),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs a command `runs` times and prints one line: median (min–max) wall, requests, peak RSS.
fn bench(label: &str, bin: &str, args: &[&str], runs: usize, requests: Option<usize>) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    bench_fresh(label, bin, runs, requests, &mut || (args.clone(), None));
}

/// What one measured run needs: its arguments, and a server to stop after it.
type Fresh<'a> = dyn FnMut() -> (Vec<String>, Option<Serve>) + 'a;

/// [`bench`], each run against what `fresh` sets up before it (and stops after it).
fn bench_fresh(
    label: &str,
    bin: &str,
    runs: usize,
    requests: Option<usize>,
    fresh: &mut Fresh<'_>,
) {
    let mut samples: Vec<Sample> = (0..runs)
        .map(|_| {
            let (args, server) = fresh();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let sample = measure(bin, &args);
            drop(server);
            sample
        })
        .collect();
    let codes: Vec<i32> = samples.iter().map(|s| s.code).collect();
    samples.sort_by_key(|s| s.wall);
    let peak = samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0);
    let median_rss = {
        let mut r: Vec<u64> = samples.iter().map(|s| s.max_rss_kib).collect();
        r.sort();
        r[r.len() / 2]
    };
    println!(
        "{label:<16} median {:>8.1} ms  (min {:.1}, max {:.1}; {runs} runs)  requests {:>5}  peak RSS {:.1} MiB (median {:.1}){}",
        ms(samples[samples.len() / 2].wall),
        ms(samples[0].wall),
        ms(samples[samples.len() - 1].wall),
        requests
            .map(|r| r.to_string())
            .unwrap_or_else(|| "-".into()),
        peak as f64 / 1024.0,
        median_rss as f64 / 1024.0,
        if codes.iter().all(|c| *c == 0) {
            String::new()
        } else {
            format!("  exit codes {codes:?}")
        },
    );
}

/// `authspec serve --cimd-loopback` as its own process, stopped when dropped. Every measured
/// run gets a fresh one: the reference server throttles an address after fifty failed client
/// authentications a minute, and a full run makes a good part of that.
struct Serve {
    child: std::process::Child,
    url: String,
}

impl Serve {
    fn start(bin: &str) -> Serve {
        use std::io::BufRead;
        let mut child = Command::new(bin)
            .args(["serve", "--cimd-loopback"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} serve: {e}"));
        let mut url = String::new();
        let out = child.stdout.take().expect("stdout");
        std::io::BufReader::new(out)
            .read_line(&mut url)
            .expect("serve prints its URL");
        Serve {
            child,
            url: url.trim().to_string(),
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The requests a run sends, from its JSON report.
fn requests_of<S: AsRef<str>>(bin: &str, args: &[S]) -> Option<usize> {
    let mut a: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    a.extend(["--format", "json"]);
    let s = measure(bin, &a);
    // SPEED_KEEP=DIR keeps each JSON report there (per-case durations, for a closer look).
    if let Ok(dir) = std::env::var("SPEED_KEEP") {
        let name = args
            .iter()
            .map(|a| a.as_ref().replace(['/', ':'], "_"))
            .collect::<Vec<_>>();
        let _ = std::fs::write(
            PathBuf::from(dir).join(format!("{}.json", name[..2.min(name.len())].join("-"))),
            &s.stdout,
        );
    }
    let v: serde_json::Value = serde_json::from_str(&s.stdout).ok()?;
    v.get("requests")?.as_u64().map(|n| n as usize)
}

/// Connections through the proxy: open now, most at once, and in all.
#[derive(Default)]
struct Conns {
    open: AtomicUsize,
    peak: AtomicUsize,
    total: AtomicUsize,
}

/// A TCP proxy that delivers every chunk `ONE_WAY` after it arrived, in each direction, to the
/// port `upstream` holds when the connection comes.
async fn delay_proxy(listener: TcpListener, upstream: Arc<AtomicU16>, conns: Arc<Conns>) {
    while let Ok((down, _)) = listener.accept().await {
        let conns = Arc::clone(&conns);
        let port = upstream.load(Ordering::SeqCst);
        tokio::spawn(async move {
            let Ok(up) = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).await else {
                return;
            };
            let _ = down.set_nodelay(true);
            let _ = up.set_nodelay(true);
            let now = conns.open.fetch_add(1, Ordering::SeqCst) + 1;
            conns.peak.fetch_max(now, Ordering::SeqCst);
            conns.total.fetch_add(1, Ordering::SeqCst);
            let (dr, dw) = down.into_split();
            let (ur, uw) = up.into_split();
            let a = tokio::spawn(delayed_pipe(dr, uw));
            let b = tokio::spawn(delayed_pipe(ur, dw));
            let _ = tokio::join!(a, b);
            conns.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Copies `from` to `to`, each chunk held back until `ONE_WAY` after it was read.
async fn delayed_pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if chunk.is_empty() || to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = from.read(&mut buf).await.unwrap_or(0);
        let at = tokio::time::Instant::now() + ONE_WAY;
        if tx.send((at, buf[..n].to_vec())).is_err() || n == 0 {
            break;
        }
    }
    let _ = writer.await;
}

/// The full run against the reference server behind the delay proxy: over https (HTTP/2,
/// which the reference server offers), or with `tls` off over plain http (HTTP/1.1, where the
/// limit on connections shows). Each run meets a fresh reference server behind the same proxy
/// port (see [`Serve`] for why).
fn wan(bin: &str, runs: usize, rt: &tokio::runtime::Runtime, tls: bool) {
    let scheme = if tls { "https" } else { "http" };
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let upstream = Arc::new(AtomicU16::new(0));
    let conns = Arc::new(Conns::default());
    rt.spawn(delay_proxy(
        listener,
        Arc::clone(&upstream),
        Arc::clone(&conns),
    ));
    let target = format!("{scheme}://127.0.0.1:{port}/mcp");
    let ca_path = std::env::temp_dir().join(format!("authspec-speed-ca-{port}.pem"));
    // SPEED_WAN_ARGS adds arguments (`--jobs 16`, case globs) for a closer look.
    let extra = std::env::var("SPEED_WAN_ARGS").unwrap_or_default();
    let mut current: Option<reference_server::RunningServer> = None;
    let mut fresh = || {
        // The connections of the run before close after the delay too: each run starts on a
        // quiet proxy, so that the count is its own.
        let until = Instant::now() + Duration::from_secs(2);
        while conns.open.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        if let Some(old) = current.take() {
            rt.block_on(old.shutdown());
        }
        let config = Config {
            tls,
            cimd_loopback: true,
            public_url: Some(format!("{scheme}://127.0.0.1:{port}")),
            ..Config::default()
        };
        let server = rt
            .block_on(reference_server::spawn(
                SocketAddr::from(([127, 0, 0, 1], 0)),
                config,
            ))
            .expect("the reference server starts");
        upstream.store(server.local_addr().port(), Ordering::SeqCst);
        let mut args: Vec<String> = ["run", "--target", &target, "--level", "may"]
            .map(String::from)
            .to_vec();
        if let Some(ca) = server.ca_cert_pem() {
            std::fs::write(&ca_path, ca).expect("write the CA");
            args.extend(["--ca-cert".into(), ca_path.display().to_string()]);
        }
        args.extend(extra.split_whitespace().map(String::from));
        current = Some(server);
        (args, None)
    };
    let (args, _) = fresh();
    let requests = requests_of(bin, &args);
    let label = if tls {
        "wan https (h2)"
    } else {
        "wan http (h1)"
    };
    let mut first = true;
    let mut measured = || {
        let next = fresh();
        if first {
            // The peak counts the measured runs only.
            conns.peak.store(0, Ordering::SeqCst);
            conns.total.store(0, Ordering::SeqCst);
            first = false;
        }
        next
    };
    bench_fresh(label, bin, runs, requests, &mut measured);
    println!(
        "{:<16} connections: at most {} open at once to the origin, {} per run",
        "",
        conns.peak.load(Ordering::SeqCst),
        conns.total.load(Ordering::SeqCst) / runs.max(1),
    );
    if let Some(server) = current.take() {
        rt.block_on(server.shutdown());
    }
    let _ = std::fs::remove_file(ca_path);
}

/// The run against `authspec serve` as its own process, a fresh one each time.
fn loopback(label: &str, bin: &str, runs: usize, extra: &[&str]) {
    let mut fresh = || {
        let server = Serve::start(bin);
        let mut args = vec!["run".to_string(), "--target".into(), server.url.clone()];
        args.extend(extra.iter().map(|a| a.to_string()));
        (args, Some(server))
    };
    let (args, server) = fresh();
    let requests = requests_of(bin, &args);
    drop(server);
    bench_fresh(label, bin, runs, requests, &mut fresh);
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: one quick pass is enough there.
    let full = std::env::args().any(|a| a == "--bench");
    let runs = |n: usize| {
        std::env::var("SPEED_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if full { n } else { 1 })
    };
    let bin = std::env::var("AUTHSPEC_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_authspec").to_string());
    let only = std::env::var("SPEED_ONLY").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
    let bin_path = PathBuf::from(&bin);
    println!(
        "authspec speed: {} ({} cores)",
        bin_path.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if wanted("wan") {
        wan(&bin, runs(5), &rt, true);
        wan(&bin, runs(5), &rt, false);
    }
    if wanted("loopback") {
        loopback("loopback must", &bin, runs(10), &[]);
        loopback("loopback may", &bin, runs(10), &["--level", "may"]);
        // `authspec run` with no target: the bundled reference server in the same process.
        let must = ["run"];
        bench(
            "bundled must",
            &bin,
            &must,
            runs(10),
            requests_of(&bin, &must),
        );
        let may = ["run", "--level", "may"];
        bench("bundled may", &bin, &may, runs(10), requests_of(&bin, &may));
    }
    if wanted("startup") {
        bench("list", &bin, &["list"], runs(30), None);
        bench("--help", &bin, &["--help"], runs(30), None);
    }
    if wanted("client") {
        let mock = format!("{bin} mock-client");
        let args = ["client", "--command", &mock];
        bench("client (mock)", &bin, &args, runs(5), None);
    }
}
