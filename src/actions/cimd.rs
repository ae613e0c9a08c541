//! Client ID Metadata Documents in the engine: the `cimd_client` step, the client a `flow`
//! uses when the authorization server prefers documents, and the once-per-run control that
//! tells whether the server fetches the documents authspec serves.
//!
//! Documents come from the loopback [`DocServer`] the [`TargetContext`] owns, so they reach
//! only an authorization server on the same machine (and one that accepts loopback http URLs,
//! in a test mode). Any other server can still be tested with a document the user hosts
//! (`--client-metadata-url`); what cannot run says why and which command would make it run.

use super::context::{StepRecord, StepStop, TargetContext};
use super::docserver::{Answer, Canary, DocServer};
use super::record::{Vars, noted, skip, stop, unreached};
use super::state::{Client, FlowState, ServedDoc};
use crate::checks::{template, template_value};
use crate::oauth::{cimd, pkce, urls};
use crate::suite::model::{AuthorizeAction, CimdAction};
use crate::transcript::Exchange;
use serde_json::{Map, Value};
use std::sync::Arc;
use url::Url;

/// The memo key of the control authorization.
pub(crate) const CONTROL: &str = "cimd:control";

/// Where the run's shared document lives on the document server.
pub(crate) const MAIN_PATH: &str = "/clients/main.json";

/// How to make a document-based check runnable against a server authspec cannot serve to.
pub fn hosted_hint(redirect_uri: &str) -> String {
    format!(
        "host a document: `authspec client-metadata --redirect-uri {redirect_uri} > client.json`, \
         publish it at an https URL the authorization server can reach, and run again with \
         --client-metadata-url URL"
    )
}

/// Whether the metadata says `client_id_metadata_document_supported: true`.
pub(crate) fn advertised(meta: &Map<String, Value>) -> bool {
    meta.get("client_id_metadata_document_supported") == Some(&Value::Bool(true))
}

/// Whether the authorization endpoint is on this machine's loopback, where the harness's
/// documents can be fetched from.
pub(crate) fn on_loopback(meta: &Map<String, Value>) -> bool {
    meta.get("authorization_endpoint")
        .and_then(Value::as_str)
        .and_then(|u| Url::parse(u).ok())
        .is_some_and(|u| urls::is_loopback(&u))
}

pub(crate) fn answer(doc: &Value, cache_control: Option<&str>) -> Answer {
    Answer {
        status: 200,
        content_type: "application/json".into(),
        body: doc.to_string().into(),
        cache_control: cache_control.map(str::to_string),
        location: None,
    }
}

pub(crate) fn public_client(id: &str, redirect_uri: &str) -> Client {
    Client {
        id: id.to_string(),
        secret: None,
        auth_method: "none".into(),
        redirect_uri: redirect_uri.to_string(),
        redirect_uris: vec![redirect_uri.to_string()],
    }
}

/// Publishes the run's shared document (once) and returns its URL.
pub(crate) fn publish_main(ctx: &TargetContext, docs: &DocServer) -> String {
    let url = format!("{}{MAIN_PATH}", docs.base());
    if !docs.has(MAIN_PATH) {
        let doc = cimd::document(
            &url,
            std::slice::from_ref(&ctx.auth.redirect_uri),
            cimd::DEFAULT_NAME,
        );
        docs.publish(MAIN_PATH, vec![answer(&doc, Some("max-age=300"))]);
    }
    url
}

/// The control, once per run: one authorization request with the shared document. It says
/// whether the server fetched it and gave a code; every document-based case depends on both.
pub async fn control(ctx: &TargetContext) -> StepRecord {
    let mut log = Vec::new();
    let mut flow = FlowState::default();
    let meta = match super::discovery::metadata(ctx, &mut flow, &mut log).await {
        Ok(m) => m,
        Err(e) => return stop(e, log),
    };
    if !advertised(meta) {
        return skip(
            "the authorization server does not advertise client_id_metadata_document_supported: true",
            log,
        );
    }
    if !on_loopback(meta) {
        return unreached(
            format!(
                "the authorization server is not on loopback, so it cannot fetch the documents authspec serves; {}",
                hosted_hint(&ctx.auth.redirect_uri)
            ),
            log,
        );
    }
    let docs = match ctx.doc_server().await {
        Ok(d) => d,
        Err(e) => return stop(StepStop::Error(e), log),
    };
    let url = publish_main(ctx, &docs);
    flow.clients
        .insert("main".into(), public_client(&url, &ctx.auth.redirect_uri));
    let rec = super::authorize::authorize(
        ctx,
        &mut flow,
        &AuthorizeAction::default(),
        "Client ID Metadata Document control: does the server fetch a loopback document?",
        &ctx.builtin_vars(),
    )
    .await;
    log.extend(rec.exchanges);
    let fetched = docs.fetches(MAIN_PATH) > 0;
    if !fetched {
        return unreached(
            format!(
                "the authorization server did not fetch the Client ID Metadata Document authspec served at {url}: \
                 servers fetch plain-http loopback documents only in a test mode (the reference server: \
                 `authspec serve --cimd-loopback`); otherwise {}",
                hosted_hint(&ctx.auth.redirect_uri)
            ),
            log,
        );
    }
    if flow.code.is_none() {
        return unreached(
            format!(
                "the authorization server fetched the document at {url} but gave no code for it"
            ),
            log,
        );
    }
    let mut values = Vars::new();
    values.insert("fetched".into(), Value::Bool(true));
    noted(
        values,
        log,
        format!("the authorization server fetched the document authspec serves at {url}"),
    )
}

/// The client a `flow` uses through a Client ID Metadata Document, when the server advertises
/// them and a document can be given: the hosted one, else one authspec serves. `overrides`
/// (a case's registration metadata) get a document of their own; a shared-secret method cannot
/// be expressed in a document, so then there is no client here.
pub async fn flow_client(
    ctx: &TargetContext,
    flow: &mut FlowState,
    overrides: &Map<String, Value>,
    log: &mut Vec<Exchange>,
    notes: &mut Vec<String>,
) -> Result<Option<Client>, StepStop> {
    let meta = super::discovery::metadata(ctx, flow, log).await?;
    if !advertised(meta) || cimd::declares_shared_secret(overrides) {
        return Ok(None);
    }
    if let Some(url) = &ctx.auth.client_metadata_url {
        if !overrides.is_empty() {
            return Ok(None);
        }
        notes.push(format!(
            "client: the hosted Client ID Metadata Document {url}"
        ));
        return Ok(Some(public_client(url, &ctx.auth.redirect_uri)));
    }
    let rec = ctx.memo(CONTROL, || control(ctx)).await;
    if let Err(StepStop::Unavailable(why) | StepStop::NotFound(why) | StepStop::Unreached(why)) =
        &rec.result
    {
        notes.push(format!("no Client ID Metadata Document client: {why}"));
    }
    if rec.result.is_err() {
        return Ok(None);
    }
    let docs = ctx.doc_server().await.map_err(StepStop::Error)?;
    let client = if overrides.is_empty() {
        flow.cimd.insert(
            "main".into(),
            ServedDoc {
                path: MAIN_PATH.into(),
                docs: Arc::clone(&docs),
                canary: None,
            },
        );
        public_client(&publish_main(ctx, &docs), &ctx.auth.redirect_uri)
    } else {
        let path = format!("/clients/{}.json", &pkce::random_token()[..12]);
        let url = format!("{}{path}", docs.base());
        let mut doc = cimd::document(
            &url,
            std::slice::from_ref(&ctx.auth.redirect_uri),
            cimd::DEFAULT_NAME,
        );
        merge(&mut doc, overrides);
        docs.publish(&path, vec![answer(&doc, None)]);
        flow.cimd.insert(
            "main".into(),
            ServedDoc {
                path: path.clone(),
                docs: Arc::clone(&docs),
                canary: None,
            },
        );
        let redirect = doc
            .pointer("/redirect_uris/0")
            .and_then(Value::as_str)
            .unwrap_or(&ctx.auth.redirect_uri)
            .to_string();
        public_client(&url, &redirect)
    };
    notes.push(format!(
        "client: Client ID Metadata Document {} (served by authspec on loopback)",
        client.id
    ));
    Ok(Some(client))
}

pub(crate) fn merge(doc: &mut Value, members: &Map<String, Value>) {
    if let Value::Object(m) = doc {
        for (k, v) in members {
            if v.is_null() {
                m.remove(k);
            } else {
                m.insert(k.clone(), v.clone());
            }
        }
    }
}

/// `cimd_client`.
pub async fn step(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &CimdAction,
    vars: &Vars,
) -> StepRecord {
    let mut log = Vec::new();
    let meta = match super::discovery::metadata(ctx, flow, &mut log).await {
        Ok(m) => m,
        Err(e) => return stop(e, log),
    };
    if !advertised(meta) && !a.unadvertised {
        return skip(
            "the authorization server does not advertise client_id_metadata_document_supported: true",
            log,
        );
    }
    let label = if a.label.is_empty() {
        "main".to_string()
    } else {
        a.label.clone()
    };
    let modified =
        a.client_id.is_some() || !a.document.is_empty() || !a.serve.is_empty() || a.canary;
    if !on_loopback(meta) {
        return off_loopback(ctx, flow, a, label, modified, log);
    }
    // The control tells whether the server fetches authspec's plain-http loopback documents:
    // whether it runs in a loopback test mode, where the draft lets it fetch loopback addresses.
    let control_rec = ctx.memo(CONTROL, || control(ctx)).await;
    let test_mode = control_rec.result.is_ok();
    if a.needs_fetch
        && let Err(e) = control_rec.result
    {
        return stop(e, log);
    }
    let docs = match ctx.doc_server().await {
        Ok(d) => d,
        Err(e) => return stop(StepStop::Error(e), log),
    };
    let canary = if a.canary {
        match Canary::start().await {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                return stop(
                    StepStop::Error(format!("the canary listener could not start: {e}")),
                    log,
                );
            }
        }
    } else {
        None
    };
    let name = &pkce::random_token()[..12];
    let doc_url = format!("{}/clients/{name}.json", docs.base());
    let mut local = vars.clone();
    local.extend(flow.vars());
    let mut put = |k: &str, v: String| {
        local.insert(k.to_string(), Value::String(v));
    };
    put("doc_url", doc_url.clone());
    put("doc_base", docs.base());
    put("doc_authority", docs.addr().to_string());
    put("doc_port", docs.addr().port().to_string());
    if let Some(c) = &canary {
        put("canary_port", c.port().to_string());
    }
    let client_id = match &a.client_id {
        Some(t) => match template(t, &local) {
            Ok(s) => s,
            Err(e) => return stop(StepStop::from_message(e), log),
        },
        None => doc_url.clone(),
    };
    let path = Url::parse(&client_id)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| format!("/clients/{name}.json"));
    local.insert("client_id".into(), Value::String(client_id.clone()));
    let mut doc = cimd::document(
        &client_id,
        std::slice::from_ref(&ctx.auth.redirect_uri),
        cimd::DEFAULT_NAME,
    );
    match template_value(&Value::Object(a.document.clone()), &local) {
        Ok(Value::Object(m)) => merge(&mut doc, &m),
        Ok(_) => {}
        Err(e) => return stop(StepStop::from_message(e), log),
    }
    let answers = match answers_for(a, &doc, &local) {
        Ok(x) => x,
        Err(e) => return stop(StepStop::from_message(e), log),
    };
    docs.publish(&path, answers);
    let redirect = doc
        .pointer("/redirect_uris/0")
        .and_then(Value::as_str)
        .unwrap_or(&ctx.auth.redirect_uri)
        .to_string();
    flow.clients
        .insert(label.clone(), public_client(&client_id, &redirect));
    flow.cimd.insert(
        label,
        ServedDoc {
            path,
            docs: Arc::clone(&docs),
            canary,
        },
    );
    let mut values = Vars::new();
    // A minimal valid authorization request for the client, for probes sent as raw `http`.
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", &redirect)
        .append_pair("state", &pkce::random_token()[..16])
        .append_pair("code_challenge", &pkce::s256(&pkce::verifier(64)))
        .append_pair("code_challenge_method", "S256")
        .finish();
    values.insert("authorize_query".into(), Value::String(query));
    values.insert("client_id".into(), Value::String(client_id.clone()));
    values.insert("document_url".into(), Value::String(doc_url));
    values.insert("document".into(), doc);
    values.insert("cimd_host".into(), Value::String("127.0.0.1".into()));
    values.insert("loopback_test_mode".into(), Value::Bool(test_mode));
    noted(
        values,
        log,
        format!("client_id {client_id}, a document authspec serves on loopback"),
    )
}

/// `cimd_client` against an authorization server that cannot reach the loopback document
/// server: the hosted document stands in where the case allows it, else the case is skipped.
fn off_loopback(
    ctx: &TargetContext,
    flow: &mut FlowState,
    a: &CimdAction,
    label: String,
    modified: bool,
    log: Vec<Exchange>,
) -> StepRecord {
    if a.hosted
        && !modified
        && let Some(url) = &ctx.auth.client_metadata_url
    {
        flow.clients
            .insert(label, public_client(url, &ctx.auth.redirect_uri));
        let mut values = Vars::new();
        values.insert("client_id".into(), Value::String(url.clone()));
        return noted(
            values,
            log,
            format!("the hosted Client ID Metadata Document {url}"),
        );
    }
    let why = if a.hosted {
        format!(
            "the authorization server is not on loopback, so it cannot fetch the documents authspec serves; {}",
            hosted_hint(&ctx.auth.redirect_uri)
        )
    } else {
        "this check varies the document case by case, which authspec can do only for an \
         authorization server on loopback (127.0.0.1) that fetches the documents it serves there"
            .to_string()
    };
    unreached(why, log)
}

/// The document with an `authspec_padding` member that makes it `n` bytes long, written once:
/// the filler goes straight into the text, never into a JSON string first.
fn padded(doc: &Value, n: usize) -> Vec<u8> {
    const MEMBER: &str = "\"authspec_padding\":\"";
    let mut with_member = doc.clone();
    merge(
        &mut with_member,
        &Map::from_iter([("authspec_padding".to_string(), Value::String(String::new()))]),
    );
    let text = with_member.to_string();
    let Some(at) = text.find(MEMBER).map(|i| i + MEMBER.len()) else {
        return text.into_bytes();
    };
    let fill = n.saturating_sub(text.len());
    let mut out = Vec::with_capacity(text.len() + fill);
    out.extend_from_slice(&text.as_bytes()[..at]);
    out.resize(out.len() + fill, b'x');
    out.extend_from_slice(&text.as_bytes()[at..]);
    out
}

/// The answers the document server gives for the case's document: as the case scripts them,
/// else the document itself.
fn answers_for(a: &CimdAction, doc: &Value, local: &Vars) -> Result<Vec<Answer>, String> {
    let mut answers = Vec::new();
    for s in &a.serve {
        let body = match (&s.body, s.pad_to) {
            (_, Some(n)) => padded(doc, n),
            (Some(b), None) => b.clone().into_bytes(),
            (None, None) => doc.to_string().into_bytes(),
        };
        let location = match s.location.as_deref().map(|l| template(l, local)) {
            Some(Ok(l)) => Some(l),
            Some(Err(e)) => return Err(e),
            None => None,
        };
        answers.push(Answer {
            status: s.status.unwrap_or(200),
            content_type: s
                .content_type
                .clone()
                .unwrap_or_else(|| "application/json".into()),
            body: body.into(),
            cache_control: s.cache_control.clone(),
            location,
        });
    }
    if answers.is_empty() {
        answers.push(answer(doc, None));
    }
    Ok(answers)
}

/// Why a hosted document (`--client-metadata-url`) cannot be used.
#[derive(Debug)]
pub enum HostedProblem {
    /// The URL did not answer (connection, timeout): a runtime problem.
    Unreachable(String),
    /// It answered, but not with a usable document: the user's input is wrong.
    Invalid(String),
}

/// Checks the user's hosted document before a run, the way an authorization server will:
/// one GET, no redirects, 200 with a JSON object whose `client_id` is the URL, listing the
/// redirect URI the run uses, with a name and no shared secret.
pub async fn check_hosted(ctx: &TargetContext) -> Result<Option<String>, HostedProblem> {
    let Some(raw) = &ctx.auth.client_metadata_url else {
        return Ok(None);
    };
    let url = cimd::check_document_url(raw)
        .map_err(|e| HostedProblem::Invalid(format!("--client-metadata-url {raw}: {e}")))?;
    read_hosted(ctx, raw, url).await
}

/// The fetch-and-validate half of [`check_hosted`], for a URL already checked.
pub(crate) async fn read_hosted(
    ctx: &TargetContext,
    raw: &str,
    url: Url,
) -> Result<Option<String>, HostedProblem> {
    use crate::http::{HttpError, Request};
    let invalid =
        |why: String| HostedProblem::Invalid(format!("--client-metadata-url {raw}: {why}"));
    let req = Request::get(url).header("Accept", "application/json");
    let resp = match ctx.http.send(&req).await {
        Ok(r) => r,
        Err(e @ (HttpError::Timeout { .. } | HttpError::Connect { .. })) => {
            return Err(HostedProblem::Unreachable(format!(
                "--client-metadata-url {raw}: {e}"
            )));
        }
        Err(HttpError::TooLarge { limit, .. }) => {
            return Err(invalid(format!(
                "the document is larger than {limit} bytes; authorization servers read about 5 KB at most"
            )));
        }
        Err(e) => return Err(invalid(e.to_string())),
    };
    if (300..400).contains(&resp.status) {
        return Err(invalid(format!(
            "it answered HTTP {} (a redirect to {}); authorization servers do not follow redirects for documents, so give the final URL",
            resp.status,
            resp.header("location").unwrap_or("nowhere")
        )));
    }
    if resp.status != 200 {
        return Err(invalid(format!(
            "it answered HTTP {}, not 200 with the document",
            resp.status
        )));
    }
    if resp.body.len() > 5 * 1024 {
        return Err(invalid(format!(
            "the document is {} bytes; authorization servers may refuse documents over 5 KB (CIMD §6.6)",
            resp.body.len()
        )));
    }
    let Some(Value::Object(doc)) = serde_json::from_slice::<Value>(&resp.body).ok() else {
        return Err(invalid(format!(
            "the answer is not a JSON object (media type {}); the URL must serve the document itself",
            resp.media_type().unwrap_or_else(|| "none".into())
        )));
    };
    match doc.get("client_id").and_then(Value::as_str) {
        Some(id) if id == raw => {}
        Some(id) => {
            return Err(invalid(format!(
                "the document's client_id is `{id}`, but it must be exactly the URL it is served from"
            )));
        }
        None => return Err(invalid("the document has no client_id".into())),
    }
    let listed = doc
        .get("redirect_uris")
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|u| u.as_str() == Some(&ctx.auth.redirect_uri)));
    if !listed {
        return Err(invalid(format!(
            "the document's redirect_uris do not list {}, the redirect URI this run uses \
             (make the document with `authspec client-metadata --redirect-uri {}`, or pass --redirect-uri)",
            ctx.auth.redirect_uri, ctx.auth.redirect_uri
        )));
    }
    if cimd::declares_shared_secret(&doc) {
        return Err(invalid(
            "the document declares shared-secret client authentication, which a metadata document must not (CIMD §4.1)"
                .into(),
        ));
    }
    if !doc.contains_key("client_name") {
        return Err(invalid(
            "the document has no client_name, which MCP requires of client documents".into(),
        ));
    }
    Ok(Some(format!("the hosted document {raw} is usable")))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::http::{HttpClient, HttpOptions, Redactor};
    use crate::vocab::SpecRevision;

    #[test]
    fn a_padded_document_is_that_long_and_still_the_document() {
        let doc = serde_json::json!({"client_id": "https://c.example/doc", "client_name": "c"});
        let body = super::padded(&doc, 1 << 20);
        assert_eq!(body.len(), 1 << 20);
        let parsed: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(parsed["client_id"], doc["client_id"]);
        let pad = parsed["authspec_padding"].as_str().unwrap_or_default();
        assert!(pad.len() > 1_000_000 && pad.bytes().all(|b| b == b'x'));
    }

    fn ctx(url: &str) -> TargetContext {
        let http = HttpClient::new(
            HttpOptions {
                timeout: Duration::from_secs(1),
                target_is_loopback: true,
                ..HttpOptions::default()
            },
            Redactor::default(),
        )
        .expect("client");
        let mut c = TargetContext::new(
            Url::parse("http://127.0.0.1:1/mcp").expect("url"),
            None,
            SpecRevision::DEFAULT,
            http,
        );
        c.auth.client_metadata_url = Some(url.to_string());
        c
    }

    async fn hosted(answer: ResponseTemplate) -> Result<Option<String>, HostedProblem> {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let raw = format!("{}/client.json", server.uri());
        let c = ctx(&raw);
        read_hosted(&c, &raw, Url::parse(&raw).expect("url")).await
    }

    fn invalid(r: Result<Option<String>, HostedProblem>) -> String {
        match r {
            Err(HostedProblem::Invalid(m)) => m,
            other => panic!("expected an invalid document, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn hosted_documents_that_cannot_work_are_named() {
        let html = ResponseTemplate::new(200)
            .insert_header("content-type", "text/html")
            .set_body_string("<html>login</html>");
        assert!(invalid(hosted(html).await).contains("not a JSON object"));
        let redirect =
            ResponseTemplate::new(302).insert_header("location", "https://elsewhere.example/c");
        assert!(invalid(hosted(redirect).await).contains("redirect"));
        let huge = ResponseTemplate::new(200).set_body_bytes(vec![b' '; 50 * 1024 * 1024]);
        assert!(invalid(hosted(huge).await).contains("larger than"));
        let missing = ResponseTemplate::new(404);
        assert!(invalid(hosted(missing).await).contains("404"));
    }

    #[tokio::test]
    async fn a_silent_url_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let hold = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        let raw = format!("http://{addr}/client.json");
        let started = std::time::Instant::now();
        let r = read_hosted(&ctx(&raw), &raw, Url::parse(&raw).expect("url")).await;
        assert!(matches!(r, Err(HostedProblem::Unreachable(_))), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        hold.abort();
    }

    #[tokio::test]
    async fn a_good_hosted_document_passes() {
        let server = MockServer::start().await;
        let raw = format!("{}/client.json", server.uri());
        let doc = cimd::document(
            &raw,
            &[crate::actions::context::DEFAULT_REDIRECT_URI.to_string()],
            "n",
        );
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&doc))
            .mount(&server)
            .await;
        let c = ctx(&raw);
        let r = read_hosted(&c, &raw, Url::parse(&raw).expect("url")).await;
        assert!(matches!(r, Ok(Some(_))), "{r:?}");
    }
}
