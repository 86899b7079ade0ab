//! interseg's session server as a library: the binary, the viewer's embedded server and the
//! end-to-end tests all start it through [`run`].
//!
//! # Layout
//! - [`config`]: clap flags and `INTERSEG_*` environment variables.
//! - [`state`]: `AppState`, the handle every handler gets.
//! - [`session`]: sessions in memory and on disk; `SessionStore` owns them all.
//! - [`volume`]: NIfTI in (with limits), label volume and label file out.
//! - [`segmentation`]: the `Engine` trait and its engines; no axum or tokio inside.
//! - [`routes`]: one module per resource; the only place besides [`error`] that knows axum.
//! - [`error`]: `ApiError` and its one `IntoResponse`.

pub mod cluster;
pub mod config;
pub mod error;
pub mod metrics;
pub mod routes;
pub mod segmentation;
mod serve;
pub mod session;
pub mod state;
pub mod tls;
pub mod volume;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::task::AbortOnDropHandle;

use axum::Router;
use axum::http::Request;
use interseg_shared::api::SESSION_HEADER;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use config::Config;
pub use state::AppState;

/// The application: every route, with tracing and a panic guard around it.
pub fn app(state: AppState) -> Router {
    let body_timeout = state.config.body_timeout();
    routes::router(state)
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let session = request
                .headers()
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "-".to_owned(), |v| v.chars().take(8).collect());
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), session = %session)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO)))
}

/// Serves `state` on `listener` until `shutdown` completes, expiring idle sessions meanwhile.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut state = state;
    if state.config.redis_url.is_some() && state.cluster.is_none() {
        let joined = cluster::Cluster::join(&state.config, listener.local_addr()?).await;
        state.cluster = Some(joined.map_err(std::io::Error::other)?);
    }
    let timeout = state.sessions.timeout();
    // Check often enough that a session outlives its timeout by at most a tenth of it.
    let period = (timeout / 10).clamp(Duration::from_secs(1), Duration::from_secs(60));
    // The background tasks end with this future, however it ends: served out, or dropped
    // (an embedded server whose window closed must not go on deleting sessions).
    let store = state.sessions.clone();
    let _expiry = AbortOnDropHandle::new(match &state.cluster {
        Some(cluster) => tokio::spawn(cluster::tasks::expire(
            Arc::clone(cluster),
            store.clone(),
            period,
        )),
        None => tokio::spawn(session::store::run_expiry(store.clone(), period)),
    });
    let keep_alive = state.cluster.clone().map(|cluster| {
        AbortOnDropHandle::new(tokio::spawn(cluster::tasks::keep_alive(
            cluster,
            store.clone(),
        )))
    });
    // The rate limiter keeps a bucket per client address; forget the ones gone quiet.
    let _forget = state.rate_limiter.clone().map(|limiter| {
        AbortOnDropHandle::new(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        }))
    });
    let idle_timeout = state.config.idle_timeout();
    let tls = state.tls.clone();
    let cluster = state.cluster.clone();
    let served = serve::serve(listener, app(state), tls, idle_timeout, shutdown).await;
    // A node that stops gracefully hands its sessions over at once.
    if let Some(cluster) = cluster {
        // Renewals stop first: one under way must not take back a lease just released.
        drop(keep_alive);
        cluster.leave(&store).await;
    }
    served
}
