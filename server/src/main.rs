use std::io::IsTerminal as _;

use anyhow::Context as _;
use clap::Parser as _;
use interseg_server::config::LogFormat;
use interseg_server::{AppState, Config, run};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let logs = tracing_subscriber::fmt().with_env_filter(
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info")),
    );
    match config.log_format {
        LogFormat::Json => logs.json().init(),
        // Colour codes only for a terminal, never into a log file.
        LogFormat::Text => logs.with_ansi(std::io::stdout().is_terminal()).init(),
    }
    let bind = config.bind;
    let state = tokio::task::spawn_blocking(move || AppState::open(config))
        .await?
        .context("opening the session store")?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let scheme = if state.tls.is_some() { "https" } else { "http" };
    tracing::info!(
        "interseg server listening on {scheme}://{}",
        listener.local_addr()?
    );
    run(listener, state, shutdown_signal()).await?;
    tracing::info!("shut down");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {err}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
