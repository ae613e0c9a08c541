//! Running the client under test: `sh -c 'CMD "$@"' URL` in a process group of its own, with a
//! deadline. On the deadline the whole group is killed; output is kept, bounded. The groups of
//! the clients running now are known, so an interrupted run ends them all ([`kill_all`]).

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// At most this much of each stream is kept.
const OUTPUT_LIMIT: usize = 256 * 1024;

/// How the client process ended.
#[derive(Clone, Debug, Default)]
pub struct ClientRun {
    /// The exit code; `None` when killed or not started.
    pub status: Option<i32>,
    pub timed_out: bool,
    /// Why the command could not start.
    pub spawn_error: Option<String>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

async fn read_bounded(mut r: impl tokio::io::AsyncRead + Unpin) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = OUTPUT_LIMIT.saturating_sub(out.len());
                out.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The process groups of the clients running now, so that an interrupted run can end them.
static LIVE: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<u32>> {
    match LIVE.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Kills the process group of every client still running (on SIGINT or SIGTERM).
pub fn kill_all() {
    let groups: Vec<u32> = live().drain(..).collect();
    for pgid in groups {
        kill_group(pgid);
    }
}

/// Kills every process of the group `pgid` (the client and anything it started).
fn kill_group(pgid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs `command` with `url` as its last argument and `env` set, for at most `timeout`.
pub async fn run(
    command: &str,
    url: &str,
    env: &[(String, String)],
    timeout: Duration,
) -> ClientRun {
    let started = Instant::now();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{command} \"$@\""))
        .arg("authspec-client")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return ClientRun {
                spawn_error: Some(format!("cannot run `sh -c {command}`: {e}")),
                elapsed: started.elapsed(),
                ..ClientRun::default()
            };
        }
    };
    let pgid = child.id();
    if let Some(p) = pgid {
        live().push(p);
    }
    let out = child.stdout.take().map(|s| tokio::spawn(read_bounded(s)));
    let err = child.stderr.take().map(|s| tokio::spawn(read_bounded(s)));
    let (status, timed_out) = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(s)) => (s.code(), false),
        Ok(Err(_)) => (None, false),
        Err(_) => (None, true),
    };
    // Whatever the client left running goes with it.
    if let Some(pgid) = pgid {
        kill_group(pgid);
        live().retain(|p| *p != pgid);
    }
    if timed_out {
        let _ = child.wait().await;
    }
    let collect = |h: Option<tokio::task::JoinHandle<String>>| async move {
        match h {
            Some(h) => tokio::time::timeout(Duration::from_secs(1), h)
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default(),
            None => String::new(),
        }
    };
    ClientRun {
        status,
        timed_out,
        spawn_error: None,
        stdout: collect(out).await,
        stderr: collect(err).await,
        elapsed: started.elapsed(),
    }
}
