//! Accepting connections, plain or over TLS, for axum.
//!
//! An accept loop hands each TCP connection to its own task, which (for TLS)
//! runs the handshake under a deadline, so a client that stalls its
//! handshake holds only its own connection, never the listener. At most
//! [`MAX_HANDSHAKES`] handshakes run at once; beyond that new connections
//! are dropped. Finished connections reach axum through a bounded channel,
//! with the peer's address (for per-address rate limits and logs).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client may take over its TLS handshake.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How many TLS handshakes may be in progress at once.
pub(crate) const MAX_HANDSHAKES: usize = 256;

/// One accepted connection.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The connections, ready to serve, that the accept task produces.
pub(crate) struct Incoming {
    rx: mpsc::Receiver<(Conn, SocketAddr)>,
    local: SocketAddr,
    /// Stopped when this is dropped, which closes the listening socket.
    accept_task: JoinHandle<()>,
}

impl Drop for Incoming {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl Incoming {
    /// Starts accepting on `listener`; with `tls`, every connection must
    /// complete a handshake first.
    pub(crate) fn start(listener: TcpListener, tls: Option<TlsAcceptor>) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, rx) = mpsc::channel(64);
        let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
        let accept_task = tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    // Out of file descriptors and the like: wait, try again.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let tx = tx.clone();
                match &tls {
                    None => {
                        if tx.send((Conn::Plain(stream), peer)).await.is_err() {
                            return;
                        }
                    }
                    Some(acceptor) => {
                        // Over the limit, the connection is dropped at once.
                        let Ok(permit) = Arc::clone(&handshakes).try_acquire_owned() else {
                            continue;
                        };
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            let handshake =
                                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                                    .await;
                            drop(permit);
                            if let Ok(Ok(stream)) = handshake {
                                let _ = tx.send((Conn::Tls(Box::new(stream)), peer)).await;
                            }
                        });
                    }
                }
            }
        });
        Ok(Incoming {
            rx,
            local,
            accept_task,
        })
    }
}

impl Listener for Incoming {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // The accept task ended (it never does on its own): serve
            // nothing more, without spinning.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The peer's address, for handlers (`ConnectInfo<Peer>`).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, Incoming>> for Peer {
    fn connect_info(stream: IncomingStream<'_, Incoming>) -> Self {
        Peer(*stream.remote_addr())
    }
}
