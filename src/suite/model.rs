//! The typed model of a suite file: suites, cases, steps and expectations.
//!
//! Values enter here from the loader (`load.rs`), already schema-checked, and leave to the engine
//! and the reporters. Nothing in this module does I/O or knows about the terminal.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::checks::Expectation;
use crate::vocab::{Level, Party, Pos, SpecRevision};

/// One suite file.
#[derive(Clone, Debug)]
pub struct Suite {
    pub name: String,
    pub title: String,
    pub spec_url: Option<String>,
    pub party: Party,
    /// Where the suite came from (a path, or `embedded:NAME`), for messages.
    pub source: String,
    pub cases: Vec<Case>,
}

/// One conformance case: a few protocol steps and the expectations on what they observed.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub suite: String,
    /// The spec section the case belongs to, for grouping (`3.3`).
    pub section: String,
    pub level: Level,
    pub party: Party,
    pub requirements: Vec<String>,
    pub mutants: Vec<String>,
    pub tags: Vec<String>,
    /// Revisions of the MCP spec this case applies to; empty means every revision.
    pub spec: Vec<SpecRevision>,
    /// Why the rule matters, shown under a failure.
    pub why: Option<String>,
    pub requires: Vec<Expectation>,
    /// Client scenarios: what must have happened for the scenario to say anything (a code was
    /// issued, a token request was made). Unlike `requires` (the client's own choice: skip),
    /// an unmet premise means the scenario could not be judged: never a pass.
    pub premise: Vec<Expectation>,
    pub steps: Vec<Step>,
    pub expect: Vec<Expectation>,
    /// A client-conformance case (party `client`): how the observing server is set up. Its
    /// expectations read the traffic the client under test sent.
    pub client: Option<ClientScenario>,
    /// The suite file the case is written in.
    pub file: String,
    pub pos: Pos,
}

impl Case {
    pub fn applies_to(&self, rev: SpecRevision) -> bool {
        self.spec.is_empty() || self.spec.contains(&rev)
    }
}

/// A protocol action with its overrides.
#[derive(Clone, Debug)]
pub struct Step {
    /// The name later steps and expectations use (`step: NAME`), and the transcript block title.
    pub name: String,
    pub action: Action,
    /// Variables captured from this step's observation: name → subject.
    pub capture: Vec<(String, crate::checks::Subject)>,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscoveryVia {
    /// In the order the selected spec revision gives, stopping at the first document found.
    Auto,
    /// The URL in the 401 challenge's `resource_metadata` parameter.
    Challenge,
    /// The path-inserted well-known URL.
    PathInserted,
    /// The well-known URL at the origin's root.
    Root,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AsMetadataVia {
    Auto,
    Oauth,
    Oidc,
}

/// What a step does.
#[derive(Clone, Debug)]
pub enum Action {
    Http(HttpAction),
    /// `required`: when nothing is found, observe that (`var found` is false) instead of
    /// skipping the case.
    FetchResourceMetadata {
        via: DiscoveryVia,
        required: bool,
    },
    FetchAsMetadata {
        via: AsMetadataVia,
        issuer: Option<String>,
        required: bool,
    },
    CallResource(CallResource),
    RegisterClient(RegisterAction),
    Authorize(AuthorizeAction),
    Token(TokenAction),
    Revoke(RevokeAction),
    /// RFC 7662 introspection of the current access or refresh token, as the client.
    Introspect(RevokeAction),
    Flow(FlowAction),
    CimdClient(CimdAction),
}

impl Action {
    pub fn keyword(&self) -> &'static str {
        match self {
            Action::Http(_) => "http",
            Action::FetchResourceMetadata { .. } => "fetch_resource_metadata",
            Action::FetchAsMetadata { .. } => "fetch_as_metadata",
            Action::CallResource(_) => "call_resource",
            Action::RegisterClient(_) => "register_client",
            Action::Authorize(_) => "authorize",
            Action::Token(t) if t.grant == Grant::RefreshToken => "refresh",
            Action::Token(_) => "token",
            Action::Revoke(_) => "revoke",
            Action::Introspect(_) => "introspect",
            Action::Flow(_) => "flow",
            Action::CimdClient(_) => "cimd_client",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpAction {
    #[serde(default = "default_get")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub json: Option<Value>,
    #[serde(default)]
    pub form: Vec<(String, String)>,
    /// `"1.2"`: offer TLS 1.2 alone, and observe whether the handshake succeeds (`var
    /// handshake`) instead of treating a failed one as a harness error.
    #[serde(default)]
    pub tls: Option<String>,
}

fn default_get() -> String {
    "GET".into()
}

/// How to present a token to the protected resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenPlacement {
    Header,
    Query,
    Body,
    HeaderAndBody,
}

/// The `rpc` keyword for the revision's opening request: `server/discover` under the 2026-07-28
/// wire model, `initialize` under the 2025 one. It is the default of `call_resource`.
pub const HELLO: &str = "hello";

/// A request to the MCP endpoint: a JSON-RPC call, with or without credentials.
///
/// The harness builds the request by the wire model of the revision it judges by; the
/// overrides here (`headers`, `params`, `meta`) are applied last, so probes of the wire rules
/// (a missing `Mcp-Method`, a version header that disagrees with `_meta`) are data.
#[derive(Clone, Debug)]
pub struct CallResource {
    pub method: String,
    /// The JSON-RPC method ([`HELLO`] by default); `None` sends no body (GET).
    pub rpc: Option<String>,
    /// A token value or a generator keyword (`garbage`, `unsigned-jwt`); `None` sends none.
    pub token: Option<String>,
    pub scheme: String,
    pub placement: TokenPlacement,
    /// A raw Authorization header value, sent as is.
    pub authorization: Option<String>,
    /// Headers that replace the harness's own of the same name; `None` leaves one out.
    pub headers: Vec<(String, Option<String>)>,
    /// Members merged over the request's `params` (`null` removes one).
    pub params: serde_json::Map<String, Value>,
    /// Members merged over `params._meta` under the stateless wire model (`null` removes one).
    pub meta: serde_json::Map<String, Value>,
    /// Sends a JSON-RPC notification (no `id`).
    pub notification: bool,
}

impl CallResource {
    /// A plain POST of `rpc` to the MCP endpoint, with the case's access token in the
    /// `Authorization` header when `token` names one (`access`), else none.
    pub fn post(rpc: &str, token: Option<&str>) -> Self {
        CallResource {
            method: "POST".into(),
            rpc: Some(rpc.into()),
            token: token.map(str::to_string),
            scheme: "Bearer".into(),
            placement: TokenPlacement::Header,
            authorization: None,
            headers: Vec::new(),
            params: serde_json::Map::new(),
            meta: serde_json::Map::new(),
            notification: false,
        }
    }
}

impl CallResource {
    /// The revision's opening request, with no credentials and no overrides: the request whose
    /// 401 starts discovery.
    pub fn is_plain_hello(&self) -> bool {
        self.token.is_none()
            && self.authorization.is_none()
            && self.headers.is_empty()
            && self.params.is_empty()
            && self.meta.is_empty()
            && !self.notification
            && self.method == "POST"
            && self.rpc.as_deref() == Some(HELLO)
    }
}

/// A parameter override: a value, several (a repeated parameter), or `null` to leave it out.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Omit,
    One(String),
    Many(Vec<String>),
}

/// How the client authenticates at the token and revocation endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// As the client registered.
    Registered,
    /// `client_id` in the body, no secret.
    None,
    /// HTTP Basic (`client_secret_basic`).
    Basic,
    /// `client_id` and `client_secret` in the body (`client_secret_post`).
    Post,
    /// Basic and body credentials at once (a probe: the server must refuse).
    Both,
    /// Credentials in the URL query (a probe: the server must not accept them).
    Query,
}

/// `register_client`: a dynamic registration (RFC 7591).
#[derive(Clone, Debug, Default)]
pub struct RegisterAction {
    /// Stored under this label for later steps (`client: second`); `main` by default.
    pub label: String,
    /// Members merged over the defaults; `null` removes a default.
    pub metadata: serde_json::Map<String, Value>,
    /// A raw body sent instead of JSON metadata.
    pub body: Option<String>,
    pub content_type: Option<String>,
    /// Where the server offers no registration, take the second `--client-id` instead (for
    /// rules between two clients, not for rules about registration).
    pub or_given: bool,
}

/// `authorize`: an authorization request, driven to the redirect.
#[derive(Clone, Debug, Default)]
pub struct AuthorizeAction {
    pub client: Option<String>,
    /// Overrides of the request parameters.
    pub params: Vec<(String, Param)>,
    /// The verifier the challenge is computed from: a literal, or `short`, `long`, `bad-charset`.
    pub verifier: Option<String>,
}

/// Which grant a token step uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode,
    RefreshToken,
}

/// `token` and `refresh`: a token request.
#[derive(Clone, Debug)]
pub struct TokenAction {
    pub grant: Grant,
    pub client: Option<String>,
    pub params: Vec<(String, Param)>,
    pub client_auth: ClientAuth,
    /// Sends this many identical requests at once (code redemption races).
    pub concurrent: u32,
    /// Repeats the concurrent redemption this many times, each round with a fresh code, since a
    /// race is won only now and then.
    pub rounds: u32,
    /// Without a code (or refresh token) to send, observe nothing instead of skipping the case:
    /// for probes where getting no code at all is also a pass.
    pub optional: bool,
    /// Sends up to this many identical requests one after another, stopping at the first 429
    /// (a brute-force probe; `var throttled_after` is how many went before it).
    pub attempts: u32,
}

impl TokenAction {
    /// A plain request of `grant` as a compliant client sends it, as the registered client,
    /// with `params` over the defaults.
    pub fn plain(grant: Grant, params: Vec<(String, Param)>) -> Self {
        TokenAction {
            grant,
            client: None,
            params,
            client_auth: ClientAuth::Registered,
            concurrent: 1,
            rounds: 1,
            optional: false,
            attempts: 1,
        }
    }
}

/// `revoke` (RFC 7009) and `introspect` (RFC 7662): which of the current tokens to send.
#[derive(Clone, Debug)]
pub struct RevokeAction {
    pub token: String,
}

/// How far the `flow` step walks the happy path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowStage {
    Client,
    Code,
    Token,
}

/// `flow`: the happy path up to a stage, as a compliant client walks it.
#[derive(Clone, Debug)]
pub struct FlowAction {
    pub until: FlowStage,
    /// Overrides for the authorization request (scope, resource…).
    pub params: Vec<(String, Param)>,
    pub register: serde_json::Map<String, Value>,
}

/// How `authspec client` sets up the server a client under test talks to (the `client` key of
/// a case). The server is the reference server, observing every request.
#[derive(Clone, Debug, Default)]
pub struct ClientScenario {
    /// `MCP_CONFORMANCE_SCENARIO` for the client (the official conformance tool's name where
    /// there is one, so clients wired for it run unchanged); the case id when absent.
    pub scenario: Option<String>,
    /// Reference-server switches that set the scene (a root-only metadata document, an issuer
    /// mismatch…), by name.
    pub mutants: Vec<String>,
    /// The scope the 401 challenge asks for.
    pub challenge_scope: Option<String>,
    /// tools/list and tools/call always answer 403 `insufficient_scope`.
    pub always_insufficient_scope: bool,
    /// `token_endpoint_auth_methods_supported` in the AS metadata.
    pub token_auth_methods: Option<Vec<String>>,
    /// Paths the server answers 404 (metadata served at only some of its locations).
    pub hidden_paths: Vec<String>,
    /// The MCP endpoint answers with SSE streams instead of JSON.
    pub answer_as_sse: bool,
    /// Token responses carry no refresh token.
    pub no_refresh_token: bool,
    /// The MCP endpoint speaks only the 2025 revisions (400 UnsupportedProtocolVersion).
    pub legacy_only: bool,
    /// A path for the authorization server's issuer (`/tenant1`).
    pub issuer_path: Option<String>,
    /// Every dynamic registration is refused.
    pub refuse_registration: bool,
    /// The MCP server moves to a second authorization server once the client has its tools.
    pub migrate_as: bool,
    /// Members of `MCP_CONFORMANCE_CONTEXT` (pre-registered credentials, for instance).
    pub context: serde_json::Map<String, Value>,
}

/// `cimd_client`: a client whose `client_id` is the URL of a Client ID Metadata Document the
/// harness serves on loopback (or, with `hosted`, the user's `--client-metadata-url`).
#[derive(Clone, Debug, Default)]
pub struct CimdAction {
    /// Stored under this label for later steps; `main` by default, so `authorize` and `token`
    /// use it without naming it.
    pub label: String,
    /// The `client_id` sent: a template over `doc_url`, `doc_base`, `doc_authority`,
    /// `doc_port` and `canary_port`; the document's own URL when absent.
    pub client_id: Option<String>,
    /// Members merged over the default document (`null` removes one).
    pub document: serde_json::Map<String, Value>,
    /// What the document URL answers, in order (the last repeats); one good document when empty.
    pub serve: Vec<ServeAnswer>,
    /// Starts a canary listener (`canary_port`) that counts connections.
    pub canary: bool,
    /// A hosted `--client-metadata-url` may stand in (only for unmodified documents).
    pub hosted: bool,
    /// Whether the case needs the server to fetch the harness's loopback documents (the
    /// default); a canary probe does not.
    pub needs_fetch: bool,
    /// Runs even where the metadata does not advertise documents (to see whether the server
    /// fetches them anyway).
    pub unadvertised: bool,
}

/// One scripted answer of the harness's document server.
#[derive(Clone, Debug, Default)]
pub struct ServeAnswer {
    pub status: Option<u16>,
    /// A raw body instead of the document.
    pub body: Option<String>,
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
    pub location: Option<String>,
    /// Pads the document with an extra member up to this many bytes.
    pub pad_to: Option<usize>,
}

// The names a step yields, declared with the model so the loader can check templates
// without reaching up into the runners that fill them.

/// Names of the variables a flow can set (for the suite loader's template check).
pub const FLOW_VARS: &[&str] = &[
    "client_id",
    "client_secret",
    "token_endpoint_auth_method",
    "narrow_scope",
    "other_resource",
    "redirect_uri",
    "code",
    "code_verifier",
    "code_challenge",
    "state",
    "access_token",
    "refresh_token",
    "previous_refresh_token",
    "scope",
    "resource",
    "resource_upper",
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "registration_endpoint",
    "revocation_endpoint",
    // Set inside the CIMD actions for its own templates.
    "doc_url",
    "doc_base",
    "doc_authority",
    "doc_port",
    "canary_port",
];

/// The name of the one observation a client case has; expectations may name it as `step`.
pub const TRAFFIC_STEP: &str = "traffic";

/// The values a client case can examine (see `client_conformance::traffic::observe`).
pub const TRAFFIC_VALUES: &[&str] = &[
    "mcp_url",
    "requests",
    "prm_paths",
    "first_prm_path",
    "as_metadata_paths",
    "registrations",
    "registration",
    "authorization_requests",
    "authorization_request",
    "last_authorization_request",
    "authorization_scopes",
    "token_requests",
    "token_request",
    "verifier_matches",
    "resource_values",
    "mcp_requests",
    "mcp_authorized",
    "mcp_succeeded",
    "mcp_methods",
    "mcp_versions",
    "mcp_header_mismatches",
    "mcp_without_meta",
    "session_ids",
    "token_leaks",
    "tools_attempts",
    "tools_succeeded",
    "mcp_unauthenticated_after_token",
    "mcp_id_problems",
    "mcp_without_client_info",
    "mcp_bad_accept",
    "mcp_non_requests",
    "refresh_token_leaks",
    "mcp_name_problems",
    "refresh_requests",
    "refresh_request",
    "requests_without_resource",
    "unissued_client_ids",
    "second_as_requests",
    "second_as_registrations",
    "reused_client_ids",
    "codes_issued",
    "unsupported_version_answers",
    "legacy_first_method",
    "url_client_ids",
    "url_client_id_problems",
    "cimd_documents",
    "cimd_refusals",
    "redirect_uris_unlisted",
    "second_as_url_client_ids",
];
