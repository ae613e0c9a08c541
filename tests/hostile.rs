//! A scripted hostile target: a small raw-TCP HTTP server that answers like a minimal MCP server
//! with its authorization server, except that one role (MCP endpoint, PRM, AS metadata,
//! registration, authorization, token) misbehaves in one of the modes below. `authspec run` is
//! driven as a child process against every (mode, role) pair; each run must end within its
//! deadline, write a JSON report, not panic, and stay under the memory bound.
//!
//! A last run sends the largest header and body the limits allow on every endpoint at once, and
//! measures the peak memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The run deadline and per-request timeout given to every hostile run.
const DEADLINE_SECS: u64 = 5;
const TIMEOUT_SECS: u64 = 1;
/// What a run may take past its deadline: starting the process and writing the reports, by a
/// debug build on a shared, loaded machine. The point is "no hang" (a hung run takes the hard
/// limit, three times the bound), not a timing figure; the benchmark measures speed.
const SLACK_SECS: u64 = 15;
/// What the issue allows a full run at most, in peak resident memory.
const MEMORY_BOUND_KIB: i64 = 64 * 1024;
/// What the largest answers may add to a healthy run's peak: the bound less the 20 MiB a full
/// release run takes against a healthy target.
const ANSWERS_BOUND_KIB: i64 = 44 * 1024;
/// The body limit of the harness; the "largest" target sends just under it.
const BODY_LIMIT: usize = 512 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Mcp,
    Prm,
    AsMetadata,
    Registration,
    Authorization,
    Token,
}

const ROLES: [Role; 6] = [
    Role::Mcp,
    Role::Prm,
    Role::AsMetadata,
    Role::Registration,
    Role::Authorization,
    Role::Token,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Headers at once, then the body one byte at a time.
    SlowDrip,
    /// Reads the request, then never answers.
    Stall,
    /// A body that never ends.
    HugeBody,
    /// Headers as large as the client accepts.
    HugeHeaders,
    /// Header lines forever.
    EndlessHeaders,
    /// A redirect to itself, forever.
    RedirectLoop,
    /// Bytes that are not HTTP.
    Garbage,
    /// JSON nested far deeper than any parser should follow.
    DeepJson,
    /// HTML where JSON is expected.
    WrongContentType,
    /// The connection is reset after the request.
    ConnectionReset,
    /// A 401 whose challenge has thousands of parameters and broken framing.
    MalformedChallenge,
    /// URLs to private, link-local and `file:` addresses.
    PrivateUrls,
    /// 1xx informational responses, forever.
    InformationalFlood,
}

const MODES: [Mode; 13] = [
    Mode::SlowDrip,
    Mode::Stall,
    Mode::HugeBody,
    Mode::HugeHeaders,
    Mode::EndlessHeaders,
    Mode::RedirectLoop,
    Mode::Garbage,
    Mode::DeepJson,
    Mode::WrongContentType,
    Mode::ConnectionReset,
    Mode::MalformedChallenge,
    Mode::PrivateUrls,
    Mode::InformationalFlood,
];

/// What the server does: one faulty role, every role answering at the limits, or no fault.
#[derive(Clone, Copy, Debug)]
enum Script {
    Fault(Mode, Role),
    Largest,
    Healthy,
}

struct Target {
    base: String,
    script: Script,
}

fn role_of(path: &str) -> Option<Role> {
    let path = path.split('?').next().unwrap_or_default();
    if path == "/mcp" {
        Some(Role::Mcp)
    } else if path.starts_with("/.well-known/oauth-protected-resource") {
        Some(Role::Prm)
    } else if path.starts_with("/.well-known/oauth-authorization-server")
        || path.starts_with("/.well-known/openid-configuration")
    {
        Some(Role::AsMetadata)
    } else if path.starts_with("/register") {
        Some(Role::Registration)
    } else if path.starts_with("/authorize") {
        Some(Role::Authorization)
    } else if path.starts_with("/token") {
        Some(Role::Token)
    } else {
        None
    }
}

struct Req {
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn query(&self) -> HashMap<String, String> {
        let q = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    }
}

async fn read_request(sock: &mut TcpStream) -> Option<Req> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 256 * 1024 {
            return None;
        }
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let _method = first.next()?;
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Req {
        target,
        headers,
        body,
    })
}

/// A response to write in one go.
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn json(status: u16, v: &Value) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: v.to_string().into_bytes(),
        }
    }

    fn with(mut self, name: &str, value: &str) -> Resp {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn head(&self) -> Vec<u8> {
        let mut s = format!("HTTP/1.1 {} X\r\n", self.status);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\r\n"));
        }
        s.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        s.into_bytes()
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = self.head();
        out.extend_from_slice(&self.body);
        out
    }
}

/// What a minimal, well-behaved MCP server with its authorization server answers.
fn healthy(base: &str, role: Role, req: &Req) -> Resp {
    match role {
        Role::Mcp if req.header("authorization").is_some() => Resp::json(
            200,
            &json!({"jsonrpc": "2.0", "id": 1, "result": {"protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "hostile", "version": "1"}}}),
        ),
        Role::Mcp => Resp::json(401, &json!({"error": "unauthorized"})).with(
            "WWW-Authenticate",
            &format!(
                r#"Bearer resource_metadata="{base}/.well-known/oauth-protected-resource/mcp", scope="mcp""#
            ),
        ),
        Role::Prm => Resp::json(
            200,
            &json!({"resource": format!("{base}/mcp"), "authorization_servers": [base], "scopes_supported": ["mcp"], "bearer_methods_supported": ["header"]}),
        ),
        Role::AsMetadata => Resp::json(
            200,
            &json!({
                "issuer": base,
                "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"),
                "registration_endpoint": format!("{base}/register"),
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": ["mcp"],
                "authorization_response_iss_parameter_supported": true,
            }),
        ),
        Role::Registration => {
            let mut v: Value = serde_json::from_slice(&req.body).unwrap_or_else(|_| json!({}));
            if let Some(m) = v.as_object_mut() {
                m.insert("client_id".into(), json!("hostile-client"));
                m.insert("client_id_issued_at".into(), json!(1_700_000_000));
            }
            Resp::json(201, &v)
        }
        Role::Authorization => {
            let q = req.query();
            let redirect = q
                .get("redirect_uri")
                .cloned()
                .unwrap_or_else(|| "http://127.0.0.1:8976/callback".into());
            let state = q.get("state").cloned().unwrap_or_default();
            let mut loc = url::Url::parse(&redirect)
                .unwrap_or_else(|_| url::Url::parse("http://127.0.0.1:8976/callback").unwrap());
            loc.query_pairs_mut()
                .append_pair("code", "hostile-code")
                .append_pair("state", &state)
                .append_pair("iss", base);
            Resp {
                status: 302,
                headers: vec![("Location".into(), loc.to_string())],
                body: Vec::new(),
            }
        }
        Role::Token => Resp::json(
            200,
            &json!({"access_token": "hostile-access-token", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "hostile-refresh-token", "scope": "mcp"}),
        ),
    }
}

/// A `WWW-Authenticate` value with thousands of parameters, of about `size` bytes.
fn many_params(base: &str, size: usize, broken: bool) -> String {
    // The parameters are the same for every request; built once per variant.
    type Tails = Vec<((usize, bool), Arc<String>)>;
    static TAILS: std::sync::Mutex<Tails> = std::sync::Mutex::new(Vec::new());
    let tail = {
        let mut tails = TAILS.lock().expect("tails");
        match tails.iter().find(|(k, _)| *k == (size, broken)) {
            Some((_, t)) => Arc::clone(t),
            None => {
                let mut t = String::with_capacity(size + 64);
                let mut i = 0;
                while t.len() < size {
                    t.push_str(", p");
                    t.push_str(&i.to_string());
                    t.push_str("=\"v\"");
                    i += 1;
                }
                if broken {
                    t.push_str(r#", , =x, a=1 b=2, "unterminated"#);
                }
                let t = Arc::new(t);
                tails.push(((size, broken), Arc::clone(&t)));
                t
            }
        }
    };
    format!(r#"Bearer resource_metadata="{base}/.well-known/oauth-protected-resource/mcp"{tail}"#)
}

/// Pads a healthy answer to the limits: headers as large as the client takes, and a body just
/// under the harness's limit (a JSON object gets a padding member; anything else is left).
fn largest(base: &str, mut resp: Resp) -> Resp {
    for i in 0..40 {
        resp.headers
            .push((format!("X-Pad-{i}"), "p".repeat(4 * 1024)));
    }
    if resp.status == 401 {
        for (k, v) in resp.headers.iter_mut() {
            if k.eq_ignore_ascii_case("www-authenticate") {
                *v = many_params(base, 100 * 1024, false);
            }
        }
    }
    if resp.body.ends_with(b"}") && resp.body.len() > 2 {
        let room = BODY_LIMIT - resp.body.len() - 64;
        resp.body.pop();
        resp.body.extend_from_slice(b",\"x_padding\":\"");
        static PADDING: OnceLock<Vec<u8>> = OnceLock::new();
        let padding = PADDING.get_or_init(|| vec![b'x'; BODY_LIMIT]);
        resp.body.extend_from_slice(&padding[..room]);
        resp.body.extend_from_slice(b"\"}");
    }
    resp
}

async fn fault(sock: &mut TcpStream, base: &str, mode: Mode, role: Role, req: &Req) {
    match mode {
        Mode::SlowDrip => {
            let resp = healthy(base, role, req);
            let _ = sock.write_all(&resp.head()).await;
            for b in &resp.body {
                if sock.write_all(&[*b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(700)).await;
            }
        }
        Mode::Stall => {
            let mut sink = [0u8; 64];
            // Holds the connection until the client gives up.
            while let Ok(n) = sock.read(&mut sink).await {
                if n == 0 {
                    return;
                }
            }
        }
        Mode::HugeBody => {
            // A body without a length that never ends.
            let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[\"";
            let _ = sock.write_all(head).await;
            let block = vec![b'a'; 64 * 1024];
            for _ in 0..(64 * 1024) {
                if sock.write_all(&block).await.is_err() {
                    return;
                }
            }
        }
        Mode::HugeHeaders => {
            let mut resp = healthy(base, role, req);
            for i in 0..90 {
                resp.headers
                    .push((format!("X-Huge-{i}"), "h".repeat(4 * 1024)));
            }
            let _ = sock.write_all(&resp.bytes()).await;
        }
        Mode::EndlessHeaders => {
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\n").await;
            let line = format!("X-Endless: {}\r\n", "e".repeat(1000));
            loop {
                if sock.write_all(line.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        Mode::RedirectLoop => {
            let path = req.target.split('?').next().unwrap_or("/");
            let n: u64 = req
                .query()
                .get("loop")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let resp = Resp {
                status: 302,
                headers: vec![("Location".into(), format!("{base}{path}?loop={}", n + 1))],
                body: Vec::new(),
            };
            let _ = sock.write_all(&resp.bytes()).await;
        }
        Mode::Garbage => {
            let mut junk = b"\x00\xff\xfeNOT HTTP AT ALL \x1b[2J".to_vec();
            junk.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
            let _ = sock.write_all(&junk).await;
        }
        Mode::DeepJson => {
            let depth = 200_000;
            let mut body = "[".repeat(depth);
            body.push_str(&"]".repeat(depth));
            let resp = Resp {
                status: if role == Role::Mcp { 401 } else { 200 },
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.into_bytes(),
            };
            let _ = sock.write_all(&resp.bytes()).await;
        }
        Mode::WrongContentType => {
            let mut resp = healthy(base, role, req);
            resp.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            resp.headers
                .push(("Content-Type".into(), "text/html; charset=utf-8".into()));
            let _ = sock.write_all(&resp.bytes()).await;
        }
        Mode::ConnectionReset => {
            // SO_LINGER 0: closing sends RST instead of FIN.
            let _ = sock2_linger_zero(sock);
        }
        Mode::MalformedChallenge => {
            let resp = Resp::json(401, &json!({"error": "invalid_token"}))
                .with("WWW-Authenticate", &many_params(base, 200 * 1024, true))
                .with("WWW-Authenticate", "Bearer realm=\"unterminated")
                .with("WWW-Authenticate", ",,,, ===");
            let _ = sock.write_all(&resp.bytes()).await;
        }
        Mode::PrivateUrls => {
            let resp = match role {
                Role::Mcp => Resp::json(401, &json!({})).with(
                    "WWW-Authenticate",
                    r#"Bearer resource_metadata="http://10.0.0.1/.well-known/oauth-protected-resource", scope="mcp""#,
                ),
                Role::Prm => Resp::json(
                    200,
                    &json!({"resource": format!("{base}/mcp"), "authorization_servers": ["https://10.0.0.1", "http://169.254.169.254", "file:///etc/passwd", "https://[fd00::1]/"]}),
                ),
                Role::AsMetadata => Resp::json(
                    200,
                    &json!({
                        "issuer": base,
                        "authorization_endpoint": "https://169.254.169.254/authorize",
                        "token_endpoint": "https://192.168.1.1/token",
                        "registration_endpoint": "file:///etc/passwd",
                        "revocation_endpoint": "https://10.1.2.3/revoke",
                        "jwks_uri": "https://100.100.100.200/jwks",
                        "response_types_supported": ["code"],
                        "code_challenge_methods_supported": ["S256"],
                    }),
                ),
                Role::Registration => {
                    let mut resp = healthy(base, role, req);
                    if let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&resp.body)
                    {
                        m.insert(
                            "registration_client_uri".into(),
                            json!("https://10.0.0.7/register/x"),
                        );
                        m.insert("registration_access_token".into(), json!("rat"));
                        resp.body = Value::Object(m).to_string().into_bytes();
                    }
                    resp
                }
                Role::Authorization | Role::Token => Resp {
                    status: 302,
                    headers: vec![("Location".into(), "file:///etc/passwd".into())],
                    body: Vec::new(),
                },
            };
            let _ = sock.write_all(&resp.bytes()).await;
        }
        Mode::InformationalFlood => {
            let one = b"HTTP/1.1 102 Processing\r\nX-Flood: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n";
            loop {
                if sock.write_all(one).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }
}

fn sock2_linger_zero(sock: &TcpStream) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a properly sized `linger` value.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

async fn handle(mut sock: TcpStream, target: Arc<Target>) {
    let Some(req) = read_request(&mut sock).await else {
        return;
    };
    let Some(role) = role_of(&req.target) else {
        let _ = sock
            .write_all(&Resp::json(404, &json!({"error": "not_found"})).bytes())
            .await;
        return;
    };
    match target.script {
        Script::Fault(mode, faulty) if faulty == role => {
            fault(&mut sock, &target.base, mode, role, &req).await;
        }
        Script::Largest => {
            let resp = largest(&target.base, healthy(&target.base, role, &req));
            let _ = sock.write_all(&resp.bytes()).await;
        }
        Script::Fault(..) | Script::Healthy => {
            let _ = sock
                .write_all(&healthy(&target.base, role, &req).bytes())
                .await;
        }
    }
    let _ = sock.shutdown().await;
}

/// Starts the scripted target; returns its base URL.
async fn start(script: Script) -> String {
    start_on(script, 0).await
}

async fn start_on(script: Script, port: u16) -> String {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let target = Arc::new(Target {
        base: base.clone(),
        script,
    });
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(handle(sock, Arc::clone(&target)));
        }
    });
    base
}

/// What one run of the binary came to.
struct Outcome {
    label: String,
    wall: Duration,
    peak_kib: i64,
    code: i32,
    stderr: String,
    report: Option<Value>,
}

/// Runs `authspec run` against `base` and measures its peak resident memory.
///
/// The child is started through a re-executed copy of this test binary (see [`spawner`]): a
/// process's `ru_maxrss` includes the memory of the process it was forked from, and this test
/// process holds the scripted servers, so a direct child would be measured high.
fn run_authspec(label: &str, base: &str, dir: &Path, hard_limit: Duration) -> Outcome {
    run_authspec_with(label, base, dir, hard_limit, DEADLINE_SECS, TIMEOUT_SECS)
}

fn run_authspec_with(
    label: &str,
    base: &str,
    dir: &Path,
    hard_limit: Duration,
    deadline: u64,
    timeout: u64,
) -> Outcome {
    let stem = label.replace(['/', ' '], "_");
    let report = dir.join(format!("{stem}.json"));
    let stderr_path = dir.join(format!("{stem}.stderr"));
    let args = vec![
        env!("CARGO_BIN_EXE_authspec").to_string(),
        "run".into(),
        "--target".into(),
        format!("{base}/mcp"),
        "--level".into(),
        "may".into(),
        "--deadline".into(),
        deadline.to_string(),
        "--timeout".into(),
        timeout.to_string(),
        "--format".into(),
        "console".into(),
        "--report".into(),
        format!("json={}", report.display()),
    ];
    let started = Instant::now();
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "spawner", "--nocapture", "--test-threads=1"])
        .env(
            "AUTHSPEC_HOSTILE_ARGS",
            serde_json::to_string(&args).expect("json"),
        )
        .env("AUTHSPEC_HOSTILE_STDERR", &stderr_path)
        .env(
            "AUTHSPEC_HOSTILE_LIMIT_MS",
            hard_limit.as_millis().to_string(),
        )
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .expect("spawn the spawner");
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> Option<i64> {
        stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse().ok())
    };
    let report = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    Outcome {
        label: label.to_string(),
        wall,
        peak_kib: field("PEAK_KIB=").unwrap_or(i64::MAX),
        code: field("EXIT=").map(|c| c as i32).unwrap_or(-1),
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
        report,
    }
}

/// Not a test: with `AUTHSPEC_HOSTILE_SERVE=largest` (or `MODE/ROLE`, as the labels print),
/// serves that script on `AUTHSPEC_HOSTILE_PORT` until killed, to try a run by hand.
#[test]
fn serve() {
    let Ok(which) = std::env::var("AUTHSPEC_HOSTILE_SERVE") else {
        return;
    };
    let script = if which == "largest" {
        Script::Largest
    } else if which == "healthy" {
        Script::Healthy
    } else {
        let found = MODES
            .iter()
            .flat_map(|m| ROLES.iter().map(move |r| (*m, *r)))
            .find(|(m, r)| format!("{m:?}/{r:?}") == which);
        let Some((m, r)) = found else {
            panic!("no script {which}")
        };
        Script::Fault(m, r)
    };
    let port: u16 = std::env::var("AUTHSPEC_HOSTILE_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let base = start_on(script, port).await;
        println!("serving {which} at {base}/mcp");
        std::future::pending::<()>().await;
    });
}

/// Not a test: when [`run_authspec`] re-executes this binary with `AUTHSPEC_HOSTILE_ARGS`, this
/// runs the command, reaps it with `wait4` and prints its exit code and peak memory.
#[test]
fn spawner() {
    let Ok(args) = std::env::var("AUTHSPEC_HOSTILE_ARGS") else {
        return;
    };
    let args: Vec<String> = serde_json::from_str(&args).expect("args");
    let stderr = std::env::var("AUTHSPEC_HOSTILE_STDERR").expect("stderr path");
    let limit = Duration::from_millis(
        std::env::var("AUTHSPEC_HOSTILE_LIMIT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60_000),
    );
    let started = Instant::now();
    // Reaped below with `wait4`, which also gives the peak memory `Child::wait` does not.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(&args[0])
        .args(&args[1..])
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .env("CI", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("spawn authspec");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped; the out-pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid || r < 0 {
            break;
        }
        if started.elapsed() > limit {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    println!("PEAK_KIB={} EXIT={code}", usage.ru_maxrss);
}

/// Why a run is not acceptable, if it is not.
fn problem(o: &Outcome, bound: Duration) -> Option<String> {
    problem_within(o, bound, MEMORY_BOUND_KIB)
}

fn problem_within(o: &Outcome, bound: Duration, memory_kib: i64) -> Option<String> {
    let mut why = Vec::new();
    if o.wall > bound {
        why.push(format!("took {:?} (bound {bound:?})", o.wall));
    }
    if o.stderr.contains("panicked") || o.code == 101 {
        why.push(format!("panicked: {}", o.stderr));
    }
    if ![0, 1, 3, 5].contains(&o.code) {
        why.push(format!("exit code {}", o.code));
    }
    match &o.report {
        None => why.push("no JSON report".into()),
        Some(r) if r["cases"].as_array().is_none_or(Vec::is_empty) => {
            why.push("a report without cases".into())
        }
        Some(_) => {}
    }
    if o.peak_kib > memory_kib {
        why.push(format!("peak memory {} KiB", o.peak_kib));
    }
    (!why.is_empty()).then(|| format!("{}: {}", o.label, why.join("; ")))
}

/// The tests here each run many processes; one at a time keeps their timings meaningful on a
/// small machine.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authspec-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn every_mode_on_every_role_ends_in_time_with_a_report() {
    let _serial = one_at_a_time();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = scratch("hostile");
    // Process start and report writing come on top of the run deadline.
    let bound = Duration::from_secs(DEADLINE_SECS + SLACK_SECS);
    let pairs: Vec<(Mode, Role)> = MODES
        .iter()
        .flat_map(|m| ROLES.iter().map(move |r| (*m, *r)))
        .collect();
    let queue = std::sync::Mutex::new(pairs.into_iter());
    let outcomes = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let next = queue.lock().expect("queue").next();
                    let Some((mode, role)) = next else { break };
                    let base = rt.block_on(start(Script::Fault(mode, role)));
                    let label = format!("{mode:?}/{role:?}");
                    let o = run_authspec(&label, &base, &dir, bound * 3);
                    outcomes.lock().expect("outcomes").push(o);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().expect("outcomes");
    outcomes.sort_by_key(|o| std::cmp::Reverse(o.wall));
    let slowest = &outcomes[0];
    for o in outcomes.iter().take(5) {
        eprintln!(
            "{}: {:?}, peak {} KiB, exit {}",
            o.label, o.wall, o.peak_kib, o.code
        );
    }
    let largest = outcomes.iter().max_by_key(|o| o.peak_kib).expect("runs");
    eprintln!(
        "{} (mode, role) runs; slowest {} in {:?}; largest peak {} at {} KiB",
        outcomes.len(),
        slowest.label,
        slowest.wall,
        largest.label,
        largest.peak_kib
    );
    let problems: Vec<String> = outcomes.iter().filter_map(|o| problem(o, bound)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_largest_answers_on_every_endpoint_stay_under_the_memory_bound() {
    let _serial = one_at_a_time();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = scratch("largest");
    // Time enough for the flow to get through, so that every case holds its large answers.
    let (deadline, timeout) = (20, 5);
    let bound = Duration::from_secs(deadline + SLACK_SECS);
    let run = |label: &str, script: Script| {
        let base = rt.block_on(start(script));
        run_authspec_with(label, &base, &dir, bound * 3, deadline, timeout)
    };
    let healthy = run("healthy", Script::Healthy);
    let o = run("largest", Script::Largest);
    eprintln!(
        "healthy answers: {:?}, peak {} KiB; largest answers everywhere: {:?}, peak {} KiB, exit {}",
        healthy.wall, healthy.peak_kib, o.wall, o.peak_kib, o.code
    );
    // A release build is held to the bound itself. A debug binary maps far more code (about
    // 36 MiB against a healthy target, where a release one takes 22), so there what the
    // target's answers add on top of a healthy run is held to the bound less a release run's
    // own footprint.
    let memory = if cfg!(debug_assertions) {
        i64::MAX
    } else {
        MEMORY_BOUND_KIB
    };
    if let Some(p) = problem(&healthy, bound).or_else(|| problem_within(&o, bound, memory)) {
        panic!("{p}");
    }
    let added = o.peak_kib - healthy.peak_kib;
    assert!(
        added < ANSWERS_BOUND_KIB,
        "the largest answers cost {added} KiB over a healthy run"
    );
    let report = o.report.expect("report");
    // Every case has a verdict, and the flow got past discovery despite the padding.
    let cases = report["cases"].as_array().expect("cases");
    assert!(cases.len() > 50, "{} cases", cases.len());
    assert!(
        cases.iter().any(|c| c["result"] == "pass"),
        "no case passed against padded answers"
    );
    // The challenge with thousands of parameters was parsed in part, and the report says so.
    let said = cases
        .iter()
        .flat_map(|c| c["notes"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .any(|n| n.contains("challenge parsed in part: only the first 64 of"));
    assert!(said, "no note says the challenge was cut");
    let _ = std::fs::remove_dir_all(&dir);
}

fn all_exchanges(report: &Value) -> Vec<&Value> {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["transcript"].as_array().into_iter().flatten())
        .collect()
}

/// A run with errors exits 3, unless a failure was found (1).
fn expected_code(report: &Value) -> i32 {
    if report["summary"]["failed"].as_u64().unwrap_or(0) > 0 {
        1
    } else {
        3
    }
}

#[test]
fn a_dead_endpoint_costs_one_timeout_and_the_deadline_ends_the_run() {
    let _serial = one_at_a_time();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = scratch("breaker");

    // A stalled token endpoint: at most one timeout per concurrent request, then every later
    // request to it is not sent, and the cases that needed it say which endpoint and why.
    let base = rt.block_on(start(Script::Fault(Mode::Stall, Role::Token)));
    let o = run_authspec_with("stall", &base, &dir, Duration::from_secs(60), 60, 2);
    let report = o.report.as_ref().expect("report");
    let token = format!("{base}/token");
    let errors: Vec<&str> = all_exchanges(report)
        .into_iter()
        .filter(|e| e["url"].as_str().is_some_and(|u| u.starts_with(&token)))
        .filter_map(|e| e["error"].as_str())
        .collect();
    let timeouts = errors.iter().filter(|e| e.starts_with("timed out")).count();
    let skipped = errors
        .iter()
        .filter(|e| {
            e.contains(&format!(
                "the endpoint {token} already failed in this run (timed out"
            ))
        })
        .count();
    assert!(
        (1..=8).contains(&timeouts),
        "{timeouts} timeouts: {errors:?}"
    );
    assert!(skipped > 0, "{errors:?}");
    assert!(o.wall < Duration::from_secs(20), "{:?}", o.wall);
    assert_eq!(o.code, expected_code(report), "{}", o.stderr);

    // A body dripping below the floor rate is cut after the grace period, well before the
    // per-request timeout.
    let base = rt.block_on(start(Script::Fault(Mode::SlowDrip, Role::Prm)));
    let o = run_authspec_with("drip", &base, &dir, Duration::from_secs(60), 60, 30);
    let report = o.report.as_ref().expect("report");
    let stalled = all_exchanges(report)
        .into_iter()
        .filter_map(|e| e["error"].as_str())
        .any(|e| e.contains("stalled") && e.contains("below the floor"));
    assert!(stalled, "no stalled body in the transcripts");
    assert!(o.wall < Duration::from_secs(15), "{:?}", o.wall);

    // The per-request timeout covers the body: headers at once, then a drip, and the request
    // ends at the timeout (before the floor rate's grace period is over).
    let o = run_authspec_with("drip-timeout", &base, &dir, Duration::from_secs(60), 60, 1);
    let report = o.report.as_ref().expect("report");
    let prm = format!("{base}/.well-known/oauth-protected-resource");
    let timed_out: Vec<&Value> = all_exchanges(report)
        .into_iter()
        .filter(|e| e["url"].as_str().is_some_and(|u| u.starts_with(&prm)))
        .filter(|e| {
            e["error"]
                .as_str()
                .is_some_and(|m| m.starts_with("timed out after 1s"))
        })
        .collect();
    assert!(!timed_out.is_empty(), "no body was cut by the timeout");

    // A deadline shorter than one request: the cases still running end as `error`, the report
    // is written, and the exit code is 3.
    let base = rt.block_on(start(Script::Fault(Mode::Stall, Role::Mcp)));
    let o = run_authspec_with("deadline", &base, &dir, Duration::from_secs(60), 2, 30);
    let report = o.report.as_ref().expect("report");
    assert!(o.wall < Duration::from_secs(6), "{:?}", o.wall);
    assert_eq!(o.code, expected_code(report), "{}", o.stderr);
    let cut = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| {
            c["result"] == "error"
                && c["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("the run deadline (2s, --deadline) passed"))
        })
        .count();
    assert!(cut > 0, "no case ended by the deadline");
    assert!(
        o.stderr.contains("the run deadline (2s) passed"),
        "{}",
        o.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}
