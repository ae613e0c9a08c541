//! A strict, known-good, in-process MCP resource server and authorization
//! server metadata host that authspec's tests point at.
//!
//! Every rule it follows can be broken on purpose by switching on a
//! [`Mutant`] in the [`Config`], so each conformance check can be shown to
//! fail under exactly the fault it is meant to catch.

mod app;
mod challenge;
mod jws;
mod mcp;
mod metadata;
mod mutant;
mod responses;
mod state;
mod tokens;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use mutant::Mutant;

use state::AppState;
use tokens::TokenStore;

/// Which faults the server exhibits; the default is none (fully correct).
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub mutants: BTreeSet<Mutant>,
}

impl Config {
    /// A configuration with exactly one mutant switched on.
    pub fn with_mutant(m: Mutant) -> Self {
        Self {
            mutants: BTreeSet::from([m]),
        }
    }

    pub fn has(&self, m: Mutant) -> bool {
        self.mutants.contains(&m)
    }
}

/// A server serving in a background task. Dropping it also stops the server
/// (gracefully, without waiting); [`RunningServer::shutdown`] waits.
#[derive(Debug)]
pub struct RunningServer {
    base_url: String,
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The protected MCP endpoint, which is also the resource identifier.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base_url)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections and waits for in-flight ones to finish.
    pub async fn shutdown(self) {
        // An error means the task already ended, which is what we want.
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds `addr` (use 127.0.0.1:0 for an ephemeral port), then serves in a spawned tokio task.
pub async fn spawn(addr: SocketAddr, config: Config) -> io::Result<RunningServer> {
    spawn_with_tokens(addr, config, TokenStore::default()).await
}

pub(crate) async fn spawn_with_tokens(
    addr: SocketAddr,
    config: Config,
    tokens: TokenStore,
) -> io::Result<RunningServer> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let base_url = format!("http://{}", public_addr(local_addr));
    let state = Arc::new(AppState::new(base_url.clone(), config, tokens));
    let app = app::router(state);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        // Either a send or the sender being dropped means "stop".
        let signal = async move {
            let _ = stopped.await;
        };
        // axum's serve loop retries failed accepts itself and so never
        // returns an error; there is no one to report one to anyway.
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(signal)
            .await;
    });
    Ok(RunningServer {
        base_url,
        local_addr,
        stop,
        task,
    })
}

/// A wildcard bind address is not something a client can connect to, so the
/// URLs the server publishes use loopback instead.
fn public_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}
