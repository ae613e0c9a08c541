//! A small loopback server of Client ID Metadata Documents for the tests: each path answers
//! a scripted sequence of responses (the last one repeats), and every fetch is counted.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Doc {
    pub status: u16,
    pub body: String,
    pub cache_control: Option<&'static str>,
    pub location: Option<String>,
}

impl Doc {
    pub fn json(value: &Value) -> Self {
        Doc {
            status: 200,
            body: value.to_string(),
            cache_control: Some("no-store"),
            location: None,
        }
    }

    pub fn status(status: u16) -> Self {
        Doc {
            status,
            body: String::new(),
            cache_control: None,
            location: None,
        }
    }
}

#[derive(Default)]
struct Script {
    answers: HashMap<String, Vec<Doc>>,
    fetches: HashMap<String, usize>,
}

#[derive(Clone)]
pub struct DocServer {
    pub addr: SocketAddr,
    script: Arc<Mutex<Script>>,
}

/// The document a probe client publishes at `url`.
pub fn document(url: &str, redirect_uri: &str) -> Value {
    json!({
        "client_id": url,
        "client_name": "probe",
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
}

impl DocServer {
    pub async fn start() -> DocServer {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        DocServer { addr, script }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn serve(&self, path: &str, answers: Vec<Doc>) {
        self.script
            .lock()
            .expect("script")
            .answers
            .insert(path.to_owned(), answers);
    }

    pub fn fetches(&self, path: &str) -> usize {
        self.script
            .lock()
            .expect("script")
            .fetches
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

async fn answer(State(script): State<Arc<Mutex<Script>>>, uri: Uri) -> Response {
    let path = uri.path().to_owned();
    let doc = {
        let mut s = script.lock().expect("script");
        *s.fetches.entry(path.clone()).or_default() += 1;
        match s.answers.get_mut(&path) {
            Some(list) if list.len() > 1 => Some(list.remove(0)),
            Some(list) => list.first().cloned(),
            None => None,
        }
    };
    let Some(doc) = doc else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (
        StatusCode::from_u16(doc.status).unwrap_or(StatusCode::OK),
        [(header::CONTENT_TYPE, "application/json")],
        doc.body,
    )
        .into_response();
    if let Some(cc) = doc.cache_control {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    }
    if let Some(loc) = doc.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, loc);
    }
    response
}
