//! The mock client as a client under test: `authspec mock-client [--mutant NAME]… URL`.
//!
//! It walks the MCP authorization flow with the engine's protocol actions, as a compliant
//! client does (challenge → protected resource metadata → AS metadata → registration or the
//! pre-registered client from `MCP_CONFORMANCE_CONTEXT` → authorization with PKCE S256 and
//! `resource` → token → MCP calls, with step-up on 403), and validates what a client must
//! validate (the metadata's `resource`, the issuer, `iss`, S256 support). Each
//! [`ClientMutant`] breaks one of those duties, so every client case can be shown to catch the
//! fault it is about.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde_json::{Map, Value, json};
use url::Url;

use crate::actions::context::AuthOptions;
use crate::actions::state::{Client, FlowState};
use crate::actions::{StepStop, TargetContext, steps};
use crate::checks::Observation;
use crate::http::{HttpClient, HttpOptions, Redactor, Response};
use crate::oauth::challenge;
use crate::suite::model::{
    Action, AsMetadataVia, AuthorizeAction, CallResource, DiscoveryVia, Grant, HELLO, Param,
    RegisterAction, TokenAction, TokenPlacement,
};
use crate::vocab::SpecRevision;

macro_rules! client_mutants {
    ($($variant:ident => $name:literal, $description:literal;)*) => {
        /// One deliberate fault of the mock client.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ClientMutant { $($variant),* }

        impl ClientMutant {
            pub const ALL: &[ClientMutant] = &[$(ClientMutant::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(ClientMutant::$variant => $name),* }
            }

            pub fn description(self) -> &'static str {
                match self { $(ClientMutant::$variant => $description),* }
            }
        }
    };
}

client_mutants! {
    NoPkce => "client-no-pkce", "sends no code_challenge and no code_verifier";
    PkcePlain => "client-pkce-plain", "uses the plain PKCE method";
    NoResource => "client-no-resource", "sends no resource parameter (RFC 8707)";
    TokenInQuery => "client-token-in-query", "sends the access token in the URL query";
    IgnoresIss => "client-ignores-iss", "redeems a code whose iss is not the issuer (RFC 9207)";
    IgnoresIssuerMismatch => "client-ignores-issuer-mismatch", "uses AS metadata whose issuer is not the authorization server's identifier";
    IgnoresPrmResource => "client-ignores-prm-resource", "uses protected resource metadata whose resource is not the MCP server";
    RootMetadataOnly => "client-root-metadata-only", "looks for the protected resource metadata at the root well-known URL only";
    IgnoresChallengeScope => "client-ignores-challenge-scope", "asks for every scope in scopes_supported, whatever the challenge says";
    AlwaysScope => "client-always-scope", "sends a scope parameter even when neither the challenge nor the metadata names one";
    NoStepUp => "client-no-step-up", "gives up on a 403 insufficient_scope instead of re-authorizing";
    UnboundedRetry => "client-unbounded-retry", "re-authorizes again and again on repeated 403 insufficient_scope";
    IgnoresS256Support => "client-ignores-s256-support", "goes on when the AS metadata does not list S256";
    AuthMethodNone => "client-auth-method-none", "registers as a public client whatever the AS supports";
    NoApplicationType => "client-no-application-type", "registers without application_type";
    Wire2025 => "client-wire-2025", "speaks the 2025 wire model (initialize, no _meta) whatever the revision";
    NoMcpMethodHeader => "client-no-mcp-method-header", "leaves out the Mcp-Method header";
    TokenToRegistration => "client-token-to-registration", "sends the access token to the registration endpoint too";
    NoScope => "client-no-scope", "never sends a scope parameter";
    AuthMethodBasic => "client-auth-method-basic", "registers as a confidential client (client_secret_basic) whatever the AS supports";
    IgnoresPreregistration => "client-ignores-preregistration", "registers dynamically even when given pre-registered credentials";
    RequiresIss => "client-requires-iss", "rejects an authorization response without iss even from an AS that does not advertise it";
    Wire2026 => "client-wire-2026", "speaks the 2026-07-28 wire model whatever the revision";
    JsonOnly => "client-json-only", "cannot read an MCP answer sent as an SSE stream";
    AcceptJsonOnly => "client-accept-json-only", "sends Accept: application/json only to the MCP endpoint";
    NoMcpNameHeader => "client-no-mcp-name-header", "leaves out the Mcp-Name header of tools/call";
    AssumesRefresh => "client-assumes-refresh", "stops when the token response carries no refresh token";
    NoRefreshGrantType => "client-no-refresh-grant-type", "refreshes tokens without listing refresh_token in its registered grant_types";
    RefreshWithoutResource => "client-refresh-without-resource", "sends no resource parameter when refreshing";
    NoVersionFallback => "client-no-version-fallback", "keeps sending its protocol version after the server answered that it does not support it";
    OauthMetadataOnly => "client-oauth-metadata-only", "looks for RFC 8414 metadata only, never OpenID Connect discovery";
    IgnoresRegistrationFailure => "client-ignores-registration-failure", "goes on with a client id of its own making when registration is refused";
    ReusesCredentials => "client-reuses-credentials", "keeps the client id of the previous authorization server when the MCP server names a new one";
    CimdHttpUrl => "client-cimd-http-url", "uses a metadata document URL with the http scheme as its client_id";
    CimdRedirectUnlisted => "client-cimd-redirect-unlisted", "uses a metadata document client_id with a redirect URI its document does not list";
    IgnoresNewAs => "client-cimd-ignores-new-authorization-server", "uses a metadata document, and gives up on a 401 to a token that worked instead of following the MCP server to its new authorization server";
}

macro_rules! client_variants {
    ($($variant:ident => $name:literal, [$($rev:literal),*], $description:literal;)*) => {
        /// One conformant choice of the mock client, other than its default.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ClientVariant { $($variant),* }

        impl ClientVariant {
            pub const ALL: &[ClientVariant] = &[$(ClientVariant::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(ClientVariant::$variant => $name),* }
            }

            /// The revisions the variant claims (`MCP_CONFORMANCE_PROTOCOL_VERSION`).
            pub fn revisions(self) -> &'static [&'static str] {
                match self { $(ClientVariant::$variant => &[$($rev),*]),* }
            }

            pub fn description(self) -> &'static str {
                match self { $(ClientVariant::$variant => $description),* }
            }
        }
    };
}

client_variants! {
    CimdFirst => "cimd-first", ["2026-07-28", "2025-11-25"],
        "uses a Client ID Metadata Document (the conformance tool's URL) whenever the authorization server advertises them, before dynamic registration, and carries that portable client_id to a new authorization server without registering";
    CimdOwnUrl => "cimd-own-url", ["2026-07-28", "2025-11-25"],
        "uses a metadata document URL of its own, on a host the sandbox cannot reach (its document is accepted on its form)";
    RevokesRefreshToken => "revokes-refresh-token", ["2026-07-28", "2025-11-25", "2025-06-18"],
        "revokes its refresh token at the advertised revocation_endpoint when it is done (RFC 7009)";
    ScopesReversed => "scopes-reversed", ["2026-07-28", "2025-11-25", "2025-06-18"],
        "writes the scopes it asks for in another order (scope order carries no meaning, RFC 6749 §3.3)";
    ChallengeFirstUnion => "challenge-plus-held", ["2026-07-28", "2025-11-25", "2025-06-18"],
        "on step-up asks for the challenged scope first, plus the scopes it already held";
    DualEra => "dual-era", ["2026-07-28", "2025-11-25", "2025-06-18"],
        "speaks 2026-07-28 first whatever revision it is run under, and falls back to initialize on a 2025-only server";
    Only2025 => "only-2025", ["2025-11-25", "2025-06-18"],
        "speaks only the 2025 wire model (initialize and sessions)";
    SecretPost => "prefers-client-secret-post", ["2026-07-28", "2025-11-25", "2025-06-18"],
        "registers as a confidential client with client_secret_post whenever the authorization server offers it";
    DcrWithoutAuthMethod => "dcr-without-auth-method", ["2026-07-28", "2025-11-25", "2025-06-18"],
        "registers without token_endpoint_auth_method and uses whatever method the registration response names";
    NeverRefreshes => "never-refreshes", ["2026-07-28", "2025-11-25", "2025-06-18"],
        "never uses its refresh token";
}

impl FromStr for ClientVariant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ClientVariant::ALL
            .iter()
            .copied()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ClientVariant::ALL.iter().map(|m| m.name()).collect();
                let hint = crate::vocab::did_you_mean(s, &names)
                    .map(|x| format!("; did you mean `{x}`?"))
                    .unwrap_or_default();
                format!("unknown client variant `{s}`{hint}")
            })
    }
}

/// The URL `cimd-own-url` uses: a host that never resolves (RFC 2606 reserves `.example`).
pub const OWN_DOCUMENT_URL: &str = "https://mcp-client.example/oauth/client-metadata.json";

impl FromStr for ClientMutant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ClientMutant::ALL
            .iter()
            .copied()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ClientMutant::ALL.iter().map(|m| m.name()).collect();
                let hint = crate::vocab::did_you_mean(s, &names)
                    .map(|x| format!("; did you mean `{x}`?"))
                    .unwrap_or_default();
                format!("unknown client mutant `{s}`{hint}")
            })
    }
}

/// Names of every client mutant (client suites name them under `mutants`).
pub fn mutant_names() -> Vec<&'static str> {
    ClientMutant::ALL.iter().map(|m| m.name()).collect()
}

fn call(rpc: &str, token: bool, placement: TokenPlacement, mutants: &[ClientMutant]) -> Action {
    let mut headers: Vec<(String, Option<String>)> = Vec::new();
    if mutants.contains(&ClientMutant::NoMcpMethodHeader) {
        headers.push(("Mcp-Method".into(), None));
    }
    if mutants.contains(&ClientMutant::AcceptJsonOnly) {
        headers.push(("Accept".into(), Some("application/json".into())));
    }
    if rpc == "tools/call" && mutants.contains(&ClientMutant::NoMcpNameHeader) {
        headers.push(("Mcp-Name".into(), None));
    }
    Action::CallResource(CallResource {
        placement,
        headers,
        ..CallResource::post(rpc, token.then_some("access"))
    })
}

/// What discovery found, for the later stages of the walk.
struct Discovered {
    prm: Value,
    resource: String,
    issuer: String,
    meta: Value,
    challenge_scope: Option<String>,
    iss_required: bool,
}

struct Walk {
    ctx: TargetContext,
    flow: FlowState,
    mutants: Vec<ClientMutant>,
    variants: Vec<ClientVariant>,
    /// The metadata document URL this client uses as client_id where documents are offered.
    document_url: Option<String>,
    log: Vec<String>,
}

impl Walk {
    /// The authorization server's metadata for `issuer`, fetched as a client does.
    async fn as_metadata(
        &mut self,
        name: &str,
        via: AsMetadataVia,
        issuer: &str,
    ) -> Result<Value, String> {
        let o = self
            .step(
                name,
                &Action::FetchAsMetadata {
                    via,
                    issuer: Some(issuer.to_string()),
                    required: false,
                },
            )
            .await?;
        o.response
            .filter(|r| r.status == 200)
            .and_then(|r| r.json())
            .ok_or_else(|| "no authorization server metadata".to_string())
    }

    fn has(&self, m: ClientMutant) -> bool {
        self.mutants.contains(&m)
    }

    fn is(&self, v: ClientVariant) -> bool {
        self.variants.contains(&v)
    }

    /// The document URL to use as client_id at an authorization server with this metadata,
    /// when this client uses documents and the server advertises them.
    fn document_for(&self, meta: &Value) -> Option<String> {
        let advertised = meta
            .get("client_id_metadata_document_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        self.document_url.clone().filter(|_| advertised)
    }

    /// A client whose id is a metadata document URL: public, no registration.
    fn use_document(&mut self, url: String) {
        let redirect = if self.has(ClientMutant::CimdRedirectUnlisted) {
            "http://127.0.0.1:8976/elsewhere".to_string()
        } else {
            self.ctx.auth.redirect_uri.clone()
        };
        self.flow.clients.insert(
            "main".into(),
            Client {
                id: url,
                secret: None,
                auth_method: "none".into(),
                redirect_uri: redirect.clone(),
                redirect_uris: vec![redirect],
            },
        );
    }

    async fn step(&mut self, name: &str, action: &Action) -> Result<Observation, String> {
        let vars: BTreeMap<String, Value> = self.ctx.builtin_vars();
        let rec = steps::run(&self.ctx, action, name, &vars, &mut self.flow).await;
        for ex in &rec.exchanges {
            self.log.push(format!(
                "{name}: {} {} → {}",
                ex.method,
                ex.url,
                ex.status.map(|s| s.to_string()).unwrap_or_default()
            ));
        }
        match rec.result {
            Ok(o) => Ok(o),
            Err(
                StepStop::Unavailable(w)
                | StepStop::NotFound(w)
                | StepStop::Unreached(w)
                | StepStop::Error(w),
            ) => Err(format!("{name}: {w}")),
        }
    }

    fn placement(&self) -> TokenPlacement {
        if self.has(ClientMutant::TokenInQuery) {
            TokenPlacement::Query
        } else {
            TokenPlacement::Header
        }
    }

    /// The protected resource metadata: from the challenge's URL, else path-inserted, else root.
    async fn resource_metadata(&mut self, from_challenge: bool) -> Result<Value, String> {
        let order: Vec<DiscoveryVia> = if self.has(ClientMutant::RootMetadataOnly) {
            vec![DiscoveryVia::Root]
        } else if from_challenge {
            vec![DiscoveryVia::Challenge]
        } else {
            vec![DiscoveryVia::PathInserted, DiscoveryVia::Root]
        };
        for via in order {
            let action = Action::FetchResourceMetadata {
                via,
                required: false,
            };
            if let Ok(o) = self.step("resource metadata", &action).await
                && let Some(r) = o.response.as_ref().filter(|r| r.status == 200)
                && let Some(j) = r.json()
            {
                return Ok(j);
            }
        }
        Err("no protected resource metadata found".into())
    }

    async fn authorize_and_redeem(
        &mut self,
        issuer: &str,
        iss_required: bool,
    ) -> Result<(), String> {
        let mut params: Vec<(String, Param)> = Vec::new();
        if self.has(ClientMutant::NoPkce) {
            params.push(("code_challenge".into(), Param::Omit));
            params.push(("code_challenge_method".into(), Param::Omit));
        }
        if self.has(ClientMutant::PkcePlain) {
            params.push(("code_challenge_method".into(), Param::One("plain".into())));
        }
        if self.has(ClientMutant::NoResource) {
            params.push(("resource".into(), Param::Omit));
        }
        let o = self
            .step(
                "authorize",
                &Action::Authorize(AuthorizeAction {
                    params,
                    ..AuthorizeAction::default()
                }),
            )
            .await?;
        if self.flow.code.is_none() {
            return Err(format!(
                "no code in the redirect (error {})",
                o.values.get("error").cloned().unwrap_or(Value::Null)
            ));
        }
        let iss = o.values.get("iss").and_then(Value::as_str);
        if !self.has(ClientMutant::IgnoresIss) {
            match iss {
                Some(i) if i != issuer => {
                    return Err(format!(
                        "the authorization response's iss `{i}` is not the issuer `{issuer}` (RFC 9207 §2.4): not redeeming the code"
                    ));
                }
                None if iss_required || self.has(ClientMutant::RequiresIss) => {
                    return Err("the authorization response has no iss, though the metadata promises it (RFC 9207 §2.4)".into());
                }
                _ => {}
            }
        }
        let mut params: Vec<(String, Param)> = Vec::new();
        if self.has(ClientMutant::NoResource) {
            params.push(("resource".into(), Param::Omit));
        }
        if self.has(ClientMutant::NoPkce) {
            params.push(("code_verifier".into(), Param::Omit));
        }
        let o = self
            .step(
                "token",
                &Action::Token(TokenAction::plain(Grant::AuthorizationCode, params)),
            )
            .await?;
        if self.flow.access_token.is_none() {
            return Err(format!(
                "the token request failed with HTTP {}",
                o.response.map(|r| r.status).unwrap_or_default()
            ));
        }
        if self.flow.refresh_token.is_none() && self.has(ClientMutant::AssumesRefresh) {
            return Err("the token response has no refresh token".into());
        }
        Ok(())
    }

    async fn walk(&mut self, context: &Map<String, Value>) -> Result<String, String> {
        let d = self.discover().await?;
        // 4. The client: pre-registered, else registered.
        self.obtain_client(context, &d.meta).await?;
        // 5. Scope and resource, as the spec orders them.
        self.choose_scope(&d);
        self.authorize_and_redeem(&d.issuer, d.iss_required).await?;
        self.token_to_registration(&d.meta).await;
        // 6. MCP with the token, with step-up on 403 insufficient_scope.
        let placement = self.placement();
        self.open_with_token(placement.clone()).await?;
        self.tools_with_step_up(&d.issuer, d.iss_required, placement)
            .await
    }

    /// 1–3: the challenge, the protected resource metadata and the authorization server
    /// metadata, validated as a client must.
    async fn discover(&mut self) -> Result<Discovered, String> {
        let target = self.ctx.target.to_string();
        let m = self.mutants.clone();
        // 1. The challenge.
        let o = self
            .step("hello", &call(HELLO, false, TokenPlacement::Header, &m))
            .await?;
        let resp: Response = o.response.ok_or("no answer to the first request")?;
        if resp.status != 401 {
            return Err(format!("expected 401, got {}", resp.status));
        }
        let bearer = challenge::first_bearer(resp.headers_named("www-authenticate"));
        let challenge_scope = bearer
            .as_ref()
            .and_then(|b| b.param("scope"))
            .map(str::to_string);
        let from_challenge = bearer
            .as_ref()
            .is_some_and(|b| b.param("resource_metadata").is_some());
        // 2. Protected resource metadata.
        let prm = self.resource_metadata(from_challenge).await?;
        let resource = prm
            .get("resource")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if resource != target && !self.has(ClientMutant::IgnoresPrmResource) {
            return Err(format!(
                "the metadata's resource `{resource}` is not the MCP server `{target}` (RFC 9728 §3.3): stopping"
            ));
        }
        let issuer = prm
            .pointer("/authorization_servers/0")
            .and_then(Value::as_str)
            .ok_or("the metadata names no authorization server")?
            .to_string();
        // 3. Authorization server metadata.
        let via = if self.has(ClientMutant::OauthMetadataOnly) {
            AsMetadataVia::Oauth
        } else {
            AsMetadataVia::Auto
        };
        let meta = self.as_metadata("AS metadata", via, &issuer).await?;
        let meta_issuer = meta.get("issuer").and_then(Value::as_str).unwrap_or("");
        if meta_issuer != issuer && !self.has(ClientMutant::IgnoresIssuerMismatch) {
            return Err(format!(
                "the metadata's issuer `{meta_issuer}` is not `{issuer}` (RFC 8414 §3.3): stopping"
            ));
        }
        let s256 = meta
            .get("code_challenge_methods_supported")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|m| m == "S256"));
        if !s256
            && !self.has(ClientMutant::IgnoresS256Support)
            && !self.has(ClientMutant::PkcePlain)
        {
            return Err("the authorization server does not list PKCE S256: stopping".into());
        }
        let iss_required = meta
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        self.flow.as_metadata = Some(meta.clone());
        Ok(Discovered {
            prm,
            resource,
            issuer,
            meta,
            challenge_scope,
            iss_required,
        })
    }

    async fn obtain_client(
        &mut self,
        context: &Map<String, Value>,
        meta: &Value,
    ) -> Result<(), String> {
        let methods = crate::oauth::token_auth_methods(Some(meta));
        let post_first = self.is(ClientVariant::SecretPost);
        let pick = |secret: bool| -> String {
            let ok = |m: &str| methods.iter().any(|x| x == m);
            if post_first && ok("client_secret_post") {
                "client_secret_post".into()
            } else if !secret && ok("none") {
                "none".into()
            } else if ok("client_secret_basic") {
                "client_secret_basic".into()
            } else if ok("client_secret_post") {
                "client_secret_post".into()
            } else {
                "none".into()
            }
        };
        let preregistered = context
            .get("client_id")
            .and_then(Value::as_str)
            .filter(|_| !self.has(ClientMutant::IgnoresPreregistration));
        if let Some(id) = preregistered {
            let secret = context
                .get("client_secret")
                .and_then(Value::as_str)
                .map(str::to_string);
            let auth_method = if self.has(ClientMutant::AuthMethodNone) {
                "none".into()
            } else {
                pick(secret.is_some())
            };
            self.flow.clients.insert(
                "main".into(),
                Client {
                    id: id.to_string(),
                    secret,
                    auth_method,
                    redirect_uri: self.ctx.auth.redirect_uri.clone(),
                    redirect_uris: vec![self.ctx.auth.redirect_uri.clone()],
                },
            );
        } else if let Some(url) = self.document_for(meta) {
            self.use_document(url);
        } else {
            let method = if self.has(ClientMutant::AuthMethodNone) {
                "none".to_string()
            } else if self.has(ClientMutant::AuthMethodBasic) {
                "client_secret_basic".to_string()
            } else {
                pick(false)
            };
            self.register(&method).await?;
        }
        Ok(())
    }

    fn choose_scope(&mut self, d: &Discovered) {
        let supported = crate::oauth::scopes_supported(Some(&d.prm)).filter(|s| !s.is_empty());
        let mut scope = if self.has(ClientMutant::IgnoresChallengeScope) {
            supported.clone()
        } else {
            d.challenge_scope.clone().or(supported)
        };
        if scope.is_none() && self.has(ClientMutant::AlwaysScope) {
            scope = Some("mcp:tools".into());
        }
        if self.is(ClientVariant::ScopesReversed) {
            scope = scope.map(|s| s.split_whitespace().rev().collect::<Vec<_>>().join(" "));
        }
        if self.has(ClientMutant::NoScope) {
            scope = None;
        }
        self.flow.scope = scope;
        self.flow.resource = Some(d.resource.clone());
    }

    /// The `client-token-to-registration` fault: the access token sent to the registration
    /// endpoint.
    async fn token_to_registration(&mut self, meta: &Value) {
        if self.has(ClientMutant::TokenToRegistration)
            && let Some(reg) = meta.get("registration_endpoint").and_then(Value::as_str)
        {
            let token = self.flow.access_token.clone().unwrap_or_default();
            let _ = self
                .step(
                    "register again",
                    &Action::Http(crate::suite::model::HttpAction {
                        method: "POST".into(),
                        url: reg.into(),
                        headers: vec![
                            ("Authorization".into(), format!("Bearer {token}")),
                            ("Content-Type".into(), "application/json".into()),
                        ],
                        body: Some("{}".into()),
                        ..Default::default()
                    }),
                )
                .await;
        }
    }

    /// The opening request with the token, falling back to the 2025 wire model on a server of
    /// an earlier era, as a dual-era client does.
    async fn open_with_token(&mut self, placement: TokenPlacement) -> Result<(), String> {
        let m = self.mutants.clone();
        let o = self
            .step(
                "hello with token",
                &call(HELLO, true, placement.clone(), &m),
            )
            .await?;
        // A server of an earlier era: fall back to initialize, as a dual-era client does.
        let unsupported = o.response.as_ref().is_some_and(|r| {
            r.status == 400
                && r.json()
                    .and_then(|j| j.pointer("/error/code").and_then(Value::as_i64))
                    == Some(-32022)
        });
        if unsupported && self.has(ClientMutant::NoVersionFallback) {
            // The fault: the same unsupported version again.
            self.step(
                "hello with token again",
                &call(HELLO, true, placement.clone(), &m),
            )
            .await?;
            return Err("the server does not support 2026-07-28".into());
        }
        let o = if unsupported && !self.has(ClientMutant::Wire2026) {
            let http = self.ctx.http.clone();
            let target = self.ctx.target.clone();
            self.ctx = TargetContext::new(target, None, SpecRevision::V2025_11_25, http)
                .with_auth(AuthOptions::default());
            self.step(
                "hello again (2025)",
                &call(HELLO, true, placement.clone(), &m),
            )
            .await?
        } else {
            o
        };
        let sse = o
            .response
            .as_ref()
            .and_then(|r| r.media_type())
            .is_some_and(|m| m == "text/event-stream");
        if sse && self.has(ClientMutant::JsonOnly) {
            return Err("the answer is not JSON".into());
        }
        let status = o.response.map(|r| r.status).unwrap_or_default();
        if status != 200 {
            return Err(format!(
                "the opening request with the token got HTTP {status}"
            ));
        }
        Ok(())
    }

    /// `tools/list`, re-authorizing with the challenged scope on 403 insufficient_scope.
    async fn tools_with_step_up(
        &mut self,
        issuer: &str,
        iss_required: bool,
        placement: TokenPlacement,
    ) -> Result<String, String> {
        let m = self.mutants.clone();
        let max_step_ups = if self.has(ClientMutant::NoStepUp) {
            0
        } else if self.has(ClientMutant::UnboundedRetry) {
            8
        } else {
            2
        };
        let mut step_ups = 0;
        loop {
            let o = self
                .step(
                    "tools/list",
                    &call("tools/list", true, placement.clone(), &m),
                )
                .await?;
            let resp = o.response.ok_or("no answer to tools/list")?;
            if resp.status == 200 {
                return self.after_tools(step_ups, placement.clone(), &m).await;
            }
            let needed = challenge::first_bearer(resp.headers_named("www-authenticate"))
                .filter(|b| b.param("error") == Some("insufficient_scope"))
                .and_then(|b| b.param("scope").map(str::to_string));
            let Some(needed) = needed.filter(|_| resp.status == 403) else {
                return Err(format!("tools/list got HTTP {}", resp.status));
            };
            if step_ups >= max_step_ups {
                return Err(format!(
                    "tools/list still needs scope `{needed}` after {step_ups} step-up(s): giving up"
                ));
            }
            step_ups += 1;
            let held = self.flow.scope.clone().unwrap_or_default();
            let mut all: Vec<String> = crate::oauth::scope_union([held.as_str(), needed.as_str()])
                .into_iter()
                .map(str::to_string)
                .collect();
            if self.is(ClientVariant::ChallengeFirstUnion) {
                let needed: Vec<&str> = needed.split_whitespace().collect();
                all.sort_by_key(|s| !needed.contains(&s.as_str()));
            }
            self.flow.scope = Some(all.join(" "));
            self.flow.code = None;
            self.flow.access_token = None;
            self.authorize_and_redeem(issuer, iss_required).await?;
        }
    }
}

impl Walk {
    /// After a 401 to a token that used to work: discovery again from the challenge and, when
    /// the resource now names another authorization server, a new registration there (client
    /// credentials belong to the server that issued them), then a new authorization.
    async fn follow_new_authorization_server(&mut self, answer: &Response) -> Result<(), String> {
        let url = challenge::first_bearer(answer.headers_named("www-authenticate"))
            .and_then(|b| b.param("resource_metadata").map(str::to_string))
            .ok_or("the 401 names no resource metadata")?;
        let o = self
            .step(
                "resource metadata again",
                &Action::Http(crate::suite::model::HttpAction {
                    method: "GET".into(),
                    url,
                    ..Default::default()
                }),
            )
            .await?;
        let prm = o
            .response
            .filter(|r| r.status == 200)
            .and_then(|r| r.json())
            .ok_or("no protected resource metadata")?;
        let issuer = prm
            .pointer("/authorization_servers/0")
            .and_then(Value::as_str)
            .ok_or("the metadata names no authorization server")?
            .to_string();
        let previous = self
            .flow
            .as_metadata
            .as_ref()
            .and_then(|m| m.get("issuer"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let meta = self
            .as_metadata("AS metadata again", AsMetadataVia::Auto, &issuer)
            .await?;
        if meta.get("issuer").and_then(Value::as_str) != Some(issuer.as_str()) {
            return Err("the new metadata's issuer is not the one the resource names".into());
        }
        let iss_required = meta
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let document = self.document_for(&meta);
        self.flow.as_metadata = Some(meta);
        if let Some(url) = document {
            // A document's client_id is portable: no registration at the new server.
            self.use_document(url);
        } else if issuer != previous && !self.has(ClientMutant::ReusesCredentials) {
            let method = self
                .flow
                .clients
                .remove("main")
                .map(|c| c.auth_method)
                .unwrap_or_else(|| "none".into());
            self.register(&method).await?;
        }
        self.flow.code = None;
        self.flow.access_token = None;
        self.flow.refresh_token = None;
        self.authorize_and_redeem(&issuer, iss_required).await
    }

    /// Dynamic registration (RFC 7591) as the mock client does it.
    async fn register(&mut self, method: &str) -> Result<(), String> {
        let mut metadata = Map::new();
        if self.is(ClientVariant::DcrWithoutAuthMethod) && !self.has(ClientMutant::AuthMethodNone) {
            // Absent: the server picks (RFC 7591 §2 reads it as client_secret_basic).
            metadata.insert("token_endpoint_auth_method".into(), Value::Null);
        } else {
            metadata.insert("token_endpoint_auth_method".into(), json!(method));
        }
        metadata.insert("client_name".into(), json!("authspec mock client"));
        if !self.has(ClientMutant::NoRefreshGrantType) {
            metadata.insert(
                "grant_types".into(),
                json!(["authorization_code", "refresh_token"]),
            );
        }
        if !self.has(ClientMutant::NoApplicationType) {
            metadata.insert("application_type".into(), json!("native"));
        }
        self.step(
            "register",
            &Action::RegisterClient(RegisterAction {
                label: "main".into(),
                metadata,
                ..RegisterAction::default()
            }),
        )
        .await?;
        if !self.flow.clients.contains_key("main") {
            if !self.has(ClientMutant::IgnoresRegistrationFailure) {
                return Err("the registration was refused: stopping".into());
            }
            self.flow.clients.insert(
                "main".into(),
                Client {
                    id: "authspec-mock-unregistered".into(),
                    secret: None,
                    auth_method: "none".into(),
                    redirect_uri: self.ctx.auth.redirect_uri.clone(),
                    redirect_uris: vec![self.ctx.auth.redirect_uri.clone()],
                },
            );
        }
        Ok(())
    }

    /// Once tools/list worked: call a tool, then refresh the token when there is a refresh
    /// token (a client never counts on one).
    async fn after_tools(
        &mut self,
        step_ups: u32,
        placement: TokenPlacement,
        m: &[ClientMutant],
    ) -> Result<String, String> {
        let mut o = self
            .step(
                "tools/call",
                &call("tools/call", true, placement.clone(), m),
            )
            .await?;
        // A 401 now: the server may have moved to another authorization server.
        if let Some(r) = o.response.clone().filter(|r| r.status == 401) {
            if self.has(ClientMutant::IgnoresNewAs) {
                return Err("tools/call got HTTP 401: giving up".into());
            }
            self.follow_new_authorization_server(&r).await?;
            o = self
                .step("tools/call again", &call("tools/call", true, placement, m))
                .await?;
        }
        let status = o.response.map(|r| r.status).unwrap_or_default();
        if status != 200 {
            return Err(format!("tools/call got HTTP {status}"));
        }
        if self.flow.refresh_token.is_none() || self.is(ClientVariant::NeverRefreshes) {
            return Ok(format!(
                "tools/list and tools/call succeeded after {step_ups} step-up(s); no refresh"
            ));
        }
        // RFC 8707 §2.2 and MCP: the refresh names the resource too.
        let resource = if self.has(ClientMutant::NoResource)
            || self.has(ClientMutant::RefreshWithoutResource)
        {
            Param::Omit
        } else {
            Param::One(self.flow.resource.clone().unwrap_or_default())
        };
        let params: Vec<(String, Param)> = vec![("resource".into(), resource)];
        let o = self
            .step(
                "refresh",
                &Action::Token(TokenAction::plain(Grant::RefreshToken, params)),
            )
            .await?;
        let status = o.response.map(|r| r.status).unwrap_or_default();
        if status != 200 {
            return Err(format!("the refresh got HTTP {status}"));
        }
        if self.is(ClientVariant::RevokesRefreshToken) {
            let revoke = Action::Revoke(crate::suite::model::RevokeAction {
                token: "refresh".into(),
            });
            let o = self.step("revoke", &revoke).await?;
            let status = o.response.map(|r| r.status).unwrap_or_default();
            if status != 200 {
                return Err(format!("the revocation got HTTP {status}"));
            }
        }
        Ok(format!(
            "tools/list and tools/call succeeded after {step_ups} step-up(s); token refreshed"
        ))
    }
}

/// Runs the mock client against `url`; `Ok` when it reached the MCP server's tools, `Err`
/// with why it stopped. `lines` receives an account of each exchange (redacted).
pub async fn run(
    url: &str,
    mutants: &[ClientMutant],
    variants: &[ClientVariant],
    lines: &mut Vec<String>,
) -> Result<String, String> {
    let target = Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    let context: Map<String, Value> = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let mut spec = std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION")
        .ok()
        .and_then(|v| SpecRevision::parse(&v))
        .unwrap_or(SpecRevision::DEFAULT);
    if variants.contains(&ClientVariant::DualEra) {
        spec = SpecRevision::V2026_07_28;
    }
    if variants.contains(&ClientVariant::Only2025) && spec == SpecRevision::V2026_07_28 {
        spec = SpecRevision::V2025_11_25;
    }
    if mutants.contains(&ClientMutant::Wire2025) {
        spec = SpecRevision::V2025_11_25;
    }
    if mutants.contains(&ClientMutant::Wire2026) {
        spec = SpecRevision::V2026_07_28;
    }
    let http = HttpClient::new(
        HttpOptions::for_target(&target, HttpOptions::default().timeout),
        Redactor::default(),
    )
    .map_err(|e| e.to_string())?;
    let ctx = TargetContext::new(target, None, spec, http).with_auth(AuthOptions::default());
    let cimd_mutant = mutants.iter().any(|m| {
        matches!(
            m,
            ClientMutant::CimdHttpUrl
                | ClientMutant::CimdRedirectUnlisted
                | ClientMutant::IgnoresNewAs
        )
    });
    let document_url = if mutants.contains(&ClientMutant::CimdHttpUrl) {
        Some("http://conformance-test.local/client-metadata.json".to_string())
    } else if variants.contains(&ClientVariant::CimdOwnUrl) {
        Some(OWN_DOCUMENT_URL.to_string())
    } else if variants.contains(&ClientVariant::CimdFirst) || cimd_mutant {
        Some(
            context
                .get("client_metadata_url")
                .and_then(Value::as_str)
                .unwrap_or(super::CONFORMANCE_DOCUMENT_URL)
                .to_string(),
        )
    } else {
        None
    };
    let mut walk = Walk {
        ctx,
        flow: FlowState::default(),
        mutants: mutants.to_vec(),
        variants: variants.to_vec(),
        document_url,
        log: Vec::new(),
    };
    let r = walk.walk(&context).await;
    lines.append(&mut walk.log);
    r
}
