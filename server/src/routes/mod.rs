//! The HTTP API: the original system's endpoints (paths and shapes kept exactly) and our own.
//! One module per resource, each with its own `router()`; handlers stay thin.

mod access;
mod cluster_hop;
mod downloads;
mod extract;
mod health;
mod jobs;
mod locks;
mod meshes;
mod metrics;
mod naming;
mod points;
mod prompts;
pub mod rate;
mod segmentation;
mod session_layer;
mod sessions;
mod slice_input;
mod slices;
mod status;
mod volumes;
mod voxels;

use std::sync::Arc;

use axum::http::header;
use axum::routing::get;
use axum::{Router, middleware};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

pub use self::session_layer::CurrentSession;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "interseg",
        description = "Interactive 3D segmentation of medical volumes. Every endpoint of the \
            original system is served unchanged; session-scoped endpoints take the session in \
            the X-Session-ID header and create one when it is absent. A server started with \
            --api-token answers 401 to any request without 'Authorization: Bearer <token>', \
            this document included."
    ),
    tags(
        (name = "sessions", description = "Session lifecycle"),
        (name = "volumes", description = "Uploading a volume and viewing its slices"),
        (name = "points", description = "Marking points (the original API)"),
        (name = "prompts", description = "Include/exclude points and boxes per label, with undo and redo"),
        (name = "segmentation", description = "Running the segmentation and downloading results"),
        (name = "status", description = "Session status and the label colour template"),
        (name = "operations", description = "Liveness and metrics for load balancers and monitors"),
    )
)]
struct ApiDoc;

/// The whole API with its state, and the OpenAPI document generated from the same routes.
pub fn router(state: AppState) -> Router {
    let session_scoped = OpenApiRouter::new()
        .merge(volumes::router(&state.config))
        .merge(slices::router())
        .merge(voxels::router())
        .merge(points::router())
        .merge(prompts::router())
        .merge(segmentation::router())
        .merge(jobs::router())
        .merge(downloads::router())
        .merge(meshes::router())
        .merge(naming::router())
        .merge(locks::router())
        .merge(status::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session_layer::resolve_session,
        ));
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(sessions::router())
        .merge(health::router())
        .merge(metrics::router())
        .merge(session_scoped)
        .split_for_parts();
    // Rendered once: the document cannot change while the server runs.
    let doc_json: Arc<str> = match doc.to_json() {
        Ok(json) => json.into(),
        Err(err) => {
            tracing::error!("cannot render the OpenAPI document: {err}");
            "{}".into()
        }
    };
    // The API description too is behind the token: with one set, no route answers without it.
    router
        .route(
            "/api/openapi.json",
            get(move || {
                let doc_json = Arc::clone(&doc_json);
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        doc_json.to_string(),
                    )
                }
            }),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access::require_api_token,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), rate::limit))
        // Every route, the token's refusals included, is counted under its template.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// Runs blocking work (file I/O, decoding, segmentation) off the async runtime's threads.
async fn blocking<R, F>(work: F) -> Result<R, ApiError>
where
    F: FnOnce() -> Result<R, ApiError> + Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(work).await?
}
