//! The server in-process: the server crate as a library on 127.0.0.1 with an ephemeral port
//! and the platform data dir, on a runtime of its own so the UI thread never runs it.

use std::sync::mpsc;
use std::thread::JoinHandle;

use anyhow::Context as _;
use clap::Parser as _;
use interseg_server::{AppState, Config};
use tokio::sync::oneshot;

/// A running embedded server; dropping it shuts the server down.
pub struct EmbeddedServer {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddedServer {
    pub fn start() -> anyhow::Result<Self> {
        // Flags are the viewer's, so only the INTERSEG_* environment configures this server.
        let mut config = Config::parse_from(["interseg-server"]);
        config.bind = ([127, 0, 0, 1], 0).into();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("interseg-server")
            .build()
            .context("starting the server runtime")?;
        let (ready_tx, ready_rx) = mpsc::channel::<anyhow::Result<String>>();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("interseg-server".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let started = async {
                        let bind = config.bind;
                        let state =
                            tokio::task::spawn_blocking(move || AppState::open(config)).await??;
                        let listener = tokio::net::TcpListener::bind(bind).await?;
                        anyhow::Ok((state, listener))
                    }
                    .await;
                    let (state, listener) = match started {
                        Ok(parts) => parts,
                        Err(err) => {
                            ready_tx.send(Err(err)).ok();
                            return;
                        }
                    };
                    let url = listener.local_addr().map(|a| format!("http://{a}"));
                    ready_tx.send(url.map_err(anyhow::Error::from)).ok();
                    let shutdown = async {
                        stopped.await.ok();
                    };
                    if let Err(err) = interseg_server::run(listener, state, shutdown).await {
                        tracing::error!("embedded server stopped: {err}");
                    }
                });
            })
            .context("starting the server thread")?;
        let url = ready_rx.recv().context("the server thread ended early")??;
        tracing::info!("embedded server on {url}");
        Ok(Self {
            url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
