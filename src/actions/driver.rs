//! Authorization drivers: how the harness plays the user agent between the authorization
//! request and the redirect back to the client.
//!
//! `auto` follows redirects as a browser does, across origins (an upstream identity provider, a
//! consent service), with a cookie jar per origin; `form` also fills and submits HTML login and
//! consent forms on any origin of the chain, with the `--login` values given for that origin;
//! `command` hands the URL to a user command (a headless browser) that prints the final
//! redirect URL; `manual` prints the URL and waits on a loopback listener for the browser to
//! arrive. Only the redirect URI ends the dance. A driver that cannot get through reports why;
//! the case is then not judged, never failed.

use super::context::{Driver, Login, TargetContext};
use crate::http::{HttpError, Request, Response};
use crate::transcript::Exchange;
use cookie_store::{CookieStore, RawCookie};
use std::collections::HashMap;
use std::time::Duration;
use url::Url;

/// How many redirects and form submissions one authorization may take.
pub(crate) const MAX_HOPS: usize = 20;

pub(crate) const MAX_FORMS: usize = 4;

/// How an authorization ended.
#[derive(Debug)]
pub enum Outcome {
    /// The user agent was sent to the redirect URI: this URL, after this response (if seen).
    Redirected {
        location: Url,
        response: Option<Response>,
    },
    /// The authorization server answered with a page and no redirect (an error page, say).
    Page { response: Response, url: Url },
    /// The driver could not get through (a login form it cannot fill, a foreign origin…).
    Stuck(String),
}

/// Whether `location` is the redirect URI the client sent (scheme, host, port and path).
pub fn is_redirect_to(location: &Url, redirect_uri: &str) -> bool {
    let Ok(r) = Url::parse(redirect_uri) else {
        return false;
    };
    location.scheme() == r.scheme()
        && location.host_str() == r.host_str()
        && location.port_or_known_default() == r.port_or_known_default()
        && location.path() == r.path()
}

pub(crate) fn looks_like_login(resp: &Response) -> bool {
    let body = resp.text().to_ascii_lowercase();
    resp.media_type().is_some_and(|m| m.contains("html")) && body.contains("<form")
}

/// Runs one authorization request through the driver.
pub async fn authorize(
    ctx: &TargetContext,
    start: Url,
    redirect_uris: &[String],
    block: &str,
    log: &mut Vec<Exchange>,
) -> Result<Outcome, HttpError> {
    match &ctx.auth.driver {
        Driver::Auto | Driver::Form => http_driver(ctx, start, redirect_uris, block, log).await,
        Driver::Command(cmd) => command_driver(cmd, &start, redirect_uris, ctx).await,
        Driver::Manual => manual_driver(&start, redirect_uris, ctx).await,
    }
}

pub(crate) fn store_cookies(jar: &mut CookieStore, resp: &Response, url: &Url) {
    let cookies = resp
        .headers_named("set-cookie")
        .filter_map(|v| RawCookie::parse(v.to_string()).ok());
    jar.store_response_cookies(cookies, url);
}

pub(crate) fn with_cookies(mut req: Request, jar: &CookieStore) -> Request {
    let pairs: Vec<String> = jar
        .get_request_values(&req.url)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !pairs.is_empty() {
        req.headers.push(("Cookie".into(), pairs.join("; ")));
    }
    req
}

/// The origins an authorization went through, in order, each once per visit: what the report
/// lists when the dance left the authorization server.
pub fn origins_of(exchanges: &[Exchange]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for ex in exchanges {
        let Ok(u) = Url::parse(&ex.url) else { continue };
        let origin = u.origin().ascii_serialization();
        if out.last() != Some(&origin) {
            out.push(origin);
        }
    }
    out
}

/// Whether a page's form asks for a password: a login form, which the driver fills only with
/// values the user gave for that origin.
fn asks_for_password(resp: &Response) -> bool {
    let html = scraper::Html::parse_document(&resp.text());
    scraper::Selector::parse("form input[type=password i]")
        .ok()
        .is_some_and(|sel| html.select(&sel).next().is_some())
}

pub(crate) async fn http_driver(
    ctx: &TargetContext,
    start: Url,
    redirect_uris: &[String],
    block: &str,
    log: &mut Vec<Exchange>,
) -> Result<Outcome, HttpError> {
    // One jar per origin: two servers on one host (ports differ) must not see each other's
    // cookies, which a host-keyed jar would mix.
    let mut jars: HashMap<String, CookieStore> = HashMap::new();
    let as_origin = start.origin();
    let mut req = Request::get(start.clone()).header("Accept", "text/html,application/json;q=0.9");
    let mut forms = 0;
    for _ in 0..MAX_HOPS {
        let origin = req.url.origin().ascii_serialization();
        let jar = jars.entry(origin.clone()).or_default();
        let sent = with_cookies(req.clone(), jar);
        ctx.count_request();
        let result = ctx.http.send(&sent).await;
        log.push(ctx.http.record(block, &sent, &result));
        let resp = result?;
        store_cookies(jar, &resp, &sent.url);
        if (300..400).contains(&resp.status) {
            let Some(loc) = resp.header("location") else {
                return Ok(Outcome::Page {
                    url: sent.url,
                    response: resp,
                });
            };
            let next = sent.url.join(loc).map_err(|e| HttpError::Protocol {
                url: sent.url.to_string(),
                reason: format!("bad Location `{loc}`: {e}"),
            })?;
            if redirect_uris.iter().any(|r| is_redirect_to(&next, r)) {
                return Ok(Outcome::Redirected {
                    location: next,
                    response: Some(resp),
                });
            }
            if !matches!(next.scheme(), "http" | "https") {
                return Ok(Outcome::Stuck(format!(
                    "{} sent the browser to a `{}:` URL that is not the redirect URI; the {} \
                     driver follows http(s) only",
                    sent.url.origin().ascii_serialization(),
                    next.scheme(),
                    ctx.auth.driver.name()
                )));
            }
            req = Request::get(next).header("Accept", "text/html,application/json;q=0.9");
            continue;
        }
        if ctx.auth.driver == Driver::Form && looks_like_login(&resp) && forms < MAX_FORMS {
            forms += 1;
            let is_as = sent.url.origin() == as_origin;
            let login = Login::for_page(&ctx.auth.login, &sent.url, is_as);
            if login.is_empty() && asks_for_password(&resp) {
                return Ok(Outcome::Stuck(format!(
                    "a login form at {origin} asks for a password, and no --login value was \
                     given for it; --login {host}:FIELD=VALUE fills it",
                    host = Login::origin_of(&sent.url),
                )));
            }
            match fill_form(&resp, &sent.url, &login) {
                Some(next) => {
                    req = next;
                    continue;
                }
                None => {
                    return Ok(Outcome::Stuck(format!(
                        "no usable form on the page at {}",
                        sent.url
                    )));
                }
            }
        }
        if resp.status == 200 && looks_like_login(&resp) {
            return Ok(Outcome::Stuck(format!(
                "the {} driver reached a login or consent page at {} and cannot get past it; use \
                 --authorize form with --login FIELD=VALUE (or --login {}:FIELD=VALUE for that \
                 origin), or --authorize command",
                ctx.auth.driver.name(),
                sent.url,
                Login::origin_of(&sent.url),
            )));
        }
        return Ok(Outcome::Page {
            url: sent.url,
            response: resp,
        });
    }
    Err(HttpError::TooManyRedirects {
        url: start.to_string(),
        hops: MAX_HOPS,
    })
}

/// Fills the first form on the page: its own values, then `--login` values, then the first
/// submit button's name and value.
pub fn fill_form(resp: &Response, page: &Url, login: &[(String, String)]) -> Option<Request> {
    let html = scraper::Html::parse_document(&resp.text());
    let form_sel = scraper::Selector::parse("form").ok()?;
    let input_sel = scraper::Selector::parse("input, button, select, textarea").ok()?;
    let form = html.select(&form_sel).next()?;
    let method = form
        .value()
        .attr("method")
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let action = page.join(form.value().attr("action").unwrap_or("")).ok()?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut submitted = false;
    for el in form.select(&input_sel) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        let kind = v
            .attr("type")
            .unwrap_or(if v.name() == "button" {
                "submit"
            } else {
                "text"
            })
            .to_ascii_lowercase();
        match kind.as_str() {
            "submit" | "image" => {
                if !submitted {
                    submitted = true;
                    fields.push((
                        name.to_string(),
                        v.attr("value").unwrap_or_default().to_string(),
                    ));
                }
            }
            "checkbox" | "radio" if v.attr("checked").is_none() => {}
            _ => fields.push((
                name.to_string(),
                v.attr("value").unwrap_or_default().to_string(),
            )),
        }
    }
    for (k, val) in login {
        match fields.iter_mut().find(|(n, _)| n == k) {
            Some(f) => f.1 = val.clone(),
            None => fields.push((k.clone(), val.clone())),
        }
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &fields {
        ser.append_pair(k, v);
    }
    let encoded = ser.finish();
    if method == "POST" {
        Some(Request {
            method: "POST".into(),
            url: action,
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: Some(encoded.into_bytes()),
        })
    } else {
        let mut url = action;
        url.set_query(Some(&encoded));
        Some(Request::get(url))
    }
}

pub(crate) async fn command_driver(
    cmd: &str,
    start: &Url,
    redirect_uris: &[String],
    ctx: &TargetContext,
) -> Result<Outcome, HttpError> {
    let output = tokio::time::timeout(
        Duration::from_secs(ctx.auth.interactive_timeout_secs),
        tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{cmd} \"$AUTHSPEC_AUTHORIZE_URL\""))
            .env("AUTHSPEC_AUTHORIZE_URL", start.as_str())
            .env(
                "AUTHSPEC_REDIRECT_URI",
                redirect_uris
                    .first()
                    .map(String::as_str)
                    .unwrap_or_default(),
            )
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await;
    let output = match output {
        Err(_) => {
            return Ok(Outcome::Stuck(format!(
                "--authorize-command did not finish within {}s",
                ctx.auth.interactive_timeout_secs
            )));
        }
        Ok(Err(e)) => {
            return Ok(Outcome::Stuck(format!(
                "--authorize-command could not run: {e}"
            )));
        }
        Ok(Ok(o)) => o,
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default();
    match Url::parse(last) {
        Ok(u) if redirect_uris.iter().any(|r| is_redirect_to(&u, r)) => Ok(Outcome::Redirected {
            location: u,
            response: None,
        }),
        _ => Ok(Outcome::Stuck(format!(
            "--authorize-command exited with {} and its last line is not the redirect URI: {:?}",
            output.status,
            ctx.http.redactor.url(last)
        ))),
    }
}

pub(crate) async fn manual_driver(
    start: &Url,
    redirect_uris: &[String],
    ctx: &TargetContext,
) -> Result<Outcome, HttpError> {
    let Some(listener) = ctx.auth.listener.as_ref() else {
        return Ok(Outcome::Stuck(
            "the manual driver has no loopback listener".into(),
        ));
    };
    eprintln!("\nOpen this URL in a browser to authorize authspec:\n\n  {start}\n");
    let guard = listener.lock().await;
    let accepted = tokio::time::timeout(
        Duration::from_secs(ctx.auth.interactive_timeout_secs),
        guard.accept(),
    )
    .await;
    let (mut stream, _) = match accepted {
        Err(_) => {
            return Ok(Outcome::Stuck(format!(
                "no browser arrived within {}s",
                ctx.auth.interactive_timeout_secs
            )));
        }
        Ok(Err(e)) => return Ok(Outcome::Stuck(format!("the loopback listener failed: {e}"))),
        Ok(Ok(s)) => s,
    };
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 8192];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]).into_owned();
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let page = "<!doctype html><title>authspec</title><p>authspec received the authorization response. You can close this tab.</p>";
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let base = redirect_uris.first().and_then(|r| Url::parse(r).ok());
    match base.and_then(|b| b.join(target).ok()) {
        Some(u) => Ok(Outcome::Redirected {
            location: u,
            response: None,
        }),
        None => Ok(Outcome::Stuck(
            "the browser's request could not be read".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Response {
        Response::new(
            200,
            vec![("content-type".into(), "text/html".into())],
            html.as_bytes().to_vec(),
            Duration::ZERO,
        )
    }

    #[test]
    fn fills_login_and_consent() {
        let html = r#"<form method="post" action="/authorize/consent">
            <input type="hidden" name="request" value="r1"><input name="username"><input type="password" name="password">
            <input type="checkbox" name="remember"><button type="submit" name="decision" value="approve">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button></form>"#;
        let base = Url::parse("http://127.0.0.1:1/authorize?x=1").expect("url");
        let login = vec![
            ("username".into(), "alice".into()),
            ("password".into(), "pw".into()),
        ];
        let req = fill_form(&page(html), &base, &login).expect("a form");
        assert_eq!(req.method, "POST");
        assert_eq!(req.url.as_str(), "http://127.0.0.1:1/authorize/consent");
        let body = String::from_utf8(req.body.expect("body")).expect("utf8");
        assert_eq!(
            body,
            "request=r1&username=alice&password=pw&decision=approve"
        );
    }

    #[test]
    fn redirect_matching() {
        let loc = Url::parse("http://127.0.0.1:8976/callback?code=x").expect("url");
        assert!(is_redirect_to(&loc, "http://127.0.0.1:8976/callback"));
        assert!(!is_redirect_to(&loc, "http://127.0.0.1:8977/callback"));
        assert!(!is_redirect_to(&loc, "http://127.0.0.1:8976/other"));
    }
}
