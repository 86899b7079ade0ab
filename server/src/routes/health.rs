//! Liveness for load balancers and monitors: no session needed (the token still is, when set).

use axum::Json;
use axum::extract::State;
use interseg_shared::api::health::{ClusterHealth, Health};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz))
}

/// Whether the server is up, and how many sessions it holds.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health)))]
async fn healthz(State(state): State<AppState>) -> Json<Health> {
    let cluster = match &state.cluster {
        Some(cluster) => Some(ClusterHealth {
            node: cluster.node.clone(),
            url: cluster.url.clone(),
            redis: match cluster.registry().ping().await {
                Ok(()) => "ok".to_owned(),
                Err(err) => format!("unreachable: {err}"),
            },
        }),
        None => None,
    };
    Json(Health {
        status: "ok".to_owned(),
        sessions: state.sessions.len(),
        cluster,
    })
}
