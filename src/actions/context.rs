//! The target of a run and what is learnt about it once and shared by every case.

use crate::checks::Observation;
use crate::http::HttpClient;
use crate::oauth::urls;
use crate::transcript::Exchange;
use crate::vocab::SpecRevision;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use url::Url;

/// Why a step could not produce an observation.
#[derive(Clone, Debug)]
pub enum StepStop {
    /// The case does not apply (a prerequisite is absent): the case is skipped.
    Unavailable(String),
    /// A discovery step looked everywhere it should and found nothing. The case is skipped,
    /// unless the step is `required`, where not finding is the observation.
    NotFound(String),
    /// authspec could not get to what the case examines (the authorization dance stopped, a
    /// document could not be served, a setting of the run rules it out): the case is not
    /// judged. The message says why and what would reach it.
    Unreached(String),
    /// The harness could not do its job: the case errors.
    Error(String),
}

impl StepStop {
    /// A harness error, unless the message says a value was never produced (then the case
    /// does not apply).
    pub fn from_message(msg: String) -> StepStop {
        if crate::checks::is_unset(&msg) {
            StepStop::Unavailable(msg)
        } else {
            StepStop::Error(msg)
        }
    }
}

/// A step's result: what it observed, and the exchanges it took.
#[derive(Clone, Debug)]
pub struct StepRecord {
    pub result: Result<Observation, StepStop>,
    pub exchanges: Vec<Exchange>,
    /// What the step tried or found, for the reader (which URL answered, what was tried).
    pub notes: Vec<String>,
}

/// The redirect URI the harness registers when nothing else is set. Nothing listens there: the
/// HTTP drivers stop at the redirect and read the code from its URL.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8976/callback";

/// One `--login` value: a form field, and the origin whose forms it may fill. A value without
/// an origin fills the authorization server's own forms only: a password given for the server
/// under test never goes to an upstream identity provider unless the user named that origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    /// `host` or `host:port`; `None`: the authorization server's origin.
    pub origin: Option<String>,
    pub field: String,
    pub value: String,
}

impl Login {
    /// A value for the authorization server's own forms.
    pub fn field(field: &str, value: &str) -> Login {
        Login {
            origin: None,
            field: field.into(),
            value: value.into(),
        }
    }

    /// A value for the forms of `page`'s origin only.
    pub fn for_origin_of(page: &Url, field: &str, value: &str) -> Login {
        Login {
            origin: Some(Login::origin_of(page)),
            field: field.into(),
            value: value.into(),
        }
    }

    /// `host:port` of a URL: how `--login` names its origin.
    pub fn origin_of(page: &Url) -> String {
        let host = page.host_str().unwrap_or_default();
        match page.port_or_known_default() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        }
    }

    /// Reads `FIELD=VALUE` or `HOST[:PORT]:FIELD=VALUE` (the field is what follows the last
    /// colon before `=`).
    pub fn parse(s: &str) -> Result<Login, String> {
        let (key, value) = s
            .split_once('=')
            .ok_or("expected FIELD=VALUE or HOST[:PORT]:FIELD=VALUE")?;
        let (origin, field) = match key.rsplit_once(':') {
            Some((origin, field)) if !origin.is_empty() => (Some(origin.to_string()), field),
            Some(_) => return Err("the origin before `:` is empty".into()),
            None => (None, key),
        };
        if field.is_empty() {
            return Err("the field name is empty".into());
        }
        Ok(Login {
            origin,
            field: field.into(),
            value: value.into(),
        })
    }

    /// Whether this value may fill a form on `page`, whose origin is the authorization
    /// server's when `is_as`.
    pub fn applies_to(&self, page: &Url, is_as: bool) -> bool {
        let Some(origin) = &self.origin else {
            return is_as;
        };
        let host = page.host_str().unwrap_or_default();
        let port = page.port_or_known_default();
        match origin.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') => {
                h.trim_matches(['[', ']'])
                    .eq_ignore_ascii_case(host.trim_matches(['[', ']']))
                    && p.parse::<u16>().ok() == port
            }
            _ => origin
                .trim_matches(['[', ']'])
                .eq_ignore_ascii_case(host.trim_matches(['[', ']'])),
        }
    }

    /// The field values that may fill a form on `page`.
    pub fn for_page(all: &[Login], page: &Url, is_as: bool) -> Vec<(String, String)> {
        all.iter()
            .filter(|l| l.applies_to(page, is_as))
            .map(|l| (l.field.clone(), l.value.clone()))
            .collect()
    }
}

/// As the flag's value reads: `[HOST[:PORT]:]FIELD=VALUE`.
impl std::fmt::Display for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}:")?;
        }
        write!(f, "{}={}", self.field, self.value)
    }
}

/// How the run obtains authorization: driver, credentials, client.
#[derive(Debug)]
pub struct AuthOptions {
    pub driver: super::context::Driver,
    /// `--login [HOST[:PORT]:]FIELD=VALUE` values for the form driver.
    pub login: Vec<Login>,
    /// A pre-registered client (`--client-id`, `--client-secret-env`).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// A second pre-registered client (`--client-id` given twice), for the rules between two
    /// clients where the server offers no registration: its id and secret.
    pub second_client: Option<(String, Option<String>)>,
    /// A token obtained elsewhere (`--access-token-env`); cases needing a fresh code skip.
    pub access_token: Option<String>,
    /// Overrides the requested scope (`--scope`).
    pub scope: Option<String>,
    /// A Client ID Metadata Document the user hosts (`--client-metadata-url`, https).
    pub client_metadata_url: Option<String>,
    pub redirect_uri: String,
    /// The loopback listener of the manual driver.
    pub listener: Option<tokio::sync::Mutex<tokio::net::TcpListener>>,
    pub interactive_timeout_secs: u64,
}

impl Default for AuthOptions {
    fn default() -> Self {
        AuthOptions {
            driver: super::context::Driver::Auto,
            login: Vec::new(),
            client_id: None,
            client_secret: None,
            second_client: None,
            access_token: None,
            scope: None,
            client_metadata_url: None,
            redirect_uri: DEFAULT_REDIRECT_URI.into(),
            listener: None,
            interactive_timeout_secs: 300,
        }
    }
}

/// The target and the per-run memo of discovery results.
pub struct TargetContext {
    pub target: Url,
    /// Set with `--issuer`: test this authorization server directly. Kept as the user wrote
    /// it, since the metadata's issuer must match it character for character.
    pub issuer: Option<String>,
    pub spec: SpecRevision,
    pub http: HttpClient,
    pub auth: AuthOptions,
    /// The bound on the whole run (`--deadline`); `None` runs unbounded.
    pub deadline: Option<std::time::Duration>,
    /// `--strict`: rules the sources leave ambiguous are read strictly.
    pub strict: bool,
    /// Check the run-wide rules over every exchange of the run (`authspec run`).
    pub observers: bool,
    /// Which case transcripts the run keeps (those its outputs show).
    pub transcripts: crate::result::Transcripts,
    memo: Mutex<HashMap<String, Arc<OnceCell<StepRecord>>>>,
    requests: std::sync::atomic::AtomicUsize,
    wire: Mutex<WireAnswers>,
    /// The harness's Client ID Metadata Document server, started on first use.
    docs: OnceCell<Result<Arc<super::docserver::DocServer>, String>>,
}

/// An authenticated MCP request the target answered with a result, by wire model.
#[derive(Clone, Debug)]
pub enum WireSeen {
    /// A 2026-07-28 request (per-request `_meta`, no session).
    Stateless,
    /// `initialize`, with the protocol version the server chose.
    Session(String),
}

#[derive(Debug, Default)]
pub(crate) struct WireAnswers {
    stateless: bool,
    session: Option<String>,
}

impl TargetContext {
    pub fn new(target: Url, issuer: Option<String>, spec: SpecRevision, http: HttpClient) -> Self {
        TargetContext {
            target,
            issuer,
            spec,
            http,
            auth: AuthOptions::default(),
            deadline: None,
            strict: false,
            observers: false,
            transcripts: crate::result::Transcripts::All,
            memo: Mutex::new(HashMap::new()),
            requests: std::sync::atomic::AtomicUsize::new(0),
            wire: Mutex::new(WireAnswers::default()),
            docs: OnceCell::new(),
        }
    }

    /// The loopback document server, started the first time a case needs it.
    pub async fn doc_server(&self) -> Result<Arc<super::docserver::DocServer>, String> {
        self.docs
            .get_or_init(|| async {
                super::docserver::DocServer::start()
                    .await
                    .map(Arc::new)
                    .map_err(|e| format!("the loopback document server could not start: {e}"))
            })
            .await
            .clone()
    }

    pub fn with_auth(mut self, auth: AuthOptions) -> Self {
        if let Some(s) = &auth.client_secret {
            self.http.redactor.add_secret(s);
        }
        if let Some(t) = &auth.access_token {
            self.http.redactor.add_secret(t);
        }
        self.auth = auth;
        self
    }

    pub fn with_deadline(mut self, deadline: Option<std::time::Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Reads ambiguous rules strictly (`--strict`).
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Checks the run-wide rules (see `engine::observe`) over the whole run.
    pub fn with_observers(mut self, on: bool) -> Self {
        self.observers = on;
        self
    }

    /// Keeps only these transcripts.
    pub fn with_transcripts(mut self, transcripts: crate::result::Transcripts) -> Self {
        self.transcripts = transcripts;
        self
    }

    pub fn target_is_loopback(&self) -> bool {
        urls::is_loopback(&self.target)
    }

    /// The variables every case starts with.
    pub fn builtin_vars(&self) -> BTreeMap<String, Value> {
        builtin_vars(&self.target, self.spec)
    }

    /// Records that the target answered an authenticated request of a wire model.
    pub fn note_wire(&self, seen: WireSeen) {
        let mut w = match self.wire.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        match seen {
            WireSeen::Stateless => w.stateless = true,
            WireSeen::Session(v) => {
                w.session.get_or_insert(v);
            }
        }
    }

    /// Which wire model the target answered to, for the report.
    pub fn wire_summary(&self) -> String {
        let w = match self.wire.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        let judged = format!("judged by MCP {}", self.spec);
        match (w.stateless, &w.session) {
            (true, Some(v)) => format!(
                "both wire models: 2026-07-28 stateless requests and initialize (negotiated {v}); {judged}"
            ),
            (true, None) => format!("the 2026-07-28 stateless wire model; {judged}"),
            (false, Some(v)) => {
                format!("the 2025 session wire model (initialize negotiated {v}); {judged}")
            }
            (false, None) => format!("no authenticated MCP request with a result; {judged}"),
        }
    }

    /// Counts a request sent (for the benchmark figures).
    pub fn count_request(&self) {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn requests_sent(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `f` once per key for the whole run; later callers get the same record.
    /// What the run already memoised under `key`, without sending anything.
    pub fn memo_peek(&self, key: &str) -> Option<StepRecord> {
        let map = match self.memo.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.get(key).and_then(|cell| cell.get().cloned())
    }

    pub async fn memo<F, Fut>(&self, key: &str, f: F) -> StepRecord
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = StepRecord>,
    {
        let cell = {
            let mut map = match self.memo.lock() {
                Ok(m) => m,
                Err(poisoned) => poisoned.into_inner(),
            };
            map.entry(key.to_string())
                .or_insert_with(|| Arc::new(OnceCell::new()))
                .clone()
        };
        cell.get_or_init(f).await.clone()
    }
}

/// Which driver a run uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Driver {
    #[default]
    Auto,
    Form,
    Command(String),
    Manual,
}

impl Driver {
    pub fn name(&self) -> &'static str {
        match self {
            Driver::Auto => "auto",
            Driver::Form => "form",
            Driver::Command(_) => "command",
            Driver::Manual => "manual",
        }
    }
}

/// The variables every case starts with, for a target URL judged by a revision.
pub fn builtin_vars(target: &Url, spec: SpecRevision) -> BTreeMap<String, Value> {
    let url = target.to_string();
    BTreeMap::from([
        ("target.url".into(), Value::String(url.clone())),
        ("target.resource".into(), Value::String(url)),
        (
            "target.origin".into(),
            Value::String(target.origin().ascii_serialization()),
        ),
        (
            "target.scheme".into(),
            Value::String(target.scheme().into()),
        ),
        ("spec".into(), Value::String(spec.as_str().into())),
    ])
}

#[cfg(test)]
mod login_tests {
    use super::Login;
    use url::Url;

    #[test]
    fn login_values_name_their_origin_or_the_authorization_server() {
        let plain = Login::parse("username=alice").expect("plain");
        assert_eq!(plain, Login::field("username", "alice"));
        let host = Login::parse("idp.example.com:username=a=b").expect("host");
        assert_eq!(host.origin.as_deref(), Some("idp.example.com"));
        assert_eq!(
            (host.field.as_str(), host.value.as_str()),
            ("username", "a=b")
        );
        let port = Login::parse("127.0.0.1:9001:password=pw").expect("port");
        assert_eq!(port.origin.as_deref(), Some("127.0.0.1:9001"));
        let v6 = Login::parse("[::1]:9001:password=pw").expect("v6");
        assert_eq!(v6.origin.as_deref(), Some("[::1]:9001"));
        assert!(Login::parse("username").is_err());
        assert!(Login::parse(":username=x").is_err());
        assert!(Login::parse("idp.example.com:=x").is_err());
    }

    #[test]
    fn a_value_fills_only_the_forms_of_its_origin() {
        let as_page = Url::parse("http://127.0.0.1:8000/authorize").expect("url");
        let idp_page = Url::parse("http://127.0.0.1:9001/login").expect("url");
        let named = Url::parse("https://idp.example.com/login").expect("url");
        let v6 = Url::parse("http://[::1]:9001/login").expect("url");
        let plain = Login::field("username", "alice");
        assert!(plain.applies_to(&as_page, true));
        assert!(
            !plain.applies_to(&idp_page, false),
            "an AS password never goes upstream"
        );
        let port = Login::parse("127.0.0.1:9001:username=bob").expect("port");
        assert!(port.applies_to(&idp_page, false));
        assert!(
            !port.applies_to(&as_page, true),
            "another port is another origin"
        );
        let host = Login::parse("IDP.example.com:username=bob").expect("host");
        assert!(host.applies_to(&named, false));
        assert!(!host.applies_to(&idp_page, false));
        let host_port = Login::parse("idp.example.com:443:username=bob").expect("host");
        assert!(host_port.applies_to(&named, false));
        assert!(
            Login::parse("[::1]:9001:u=b")
                .expect("v6")
                .applies_to(&v6, false)
        );
        let all = [plain, port];
        assert_eq!(
            Login::for_page(&all, &idp_page, false),
            vec![("username".to_string(), "bob".to_string())]
        );
    }
}
