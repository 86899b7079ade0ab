//! Session lifecycle: create, list, delete.

use axum::Json;
use axum::extract::Request;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use interseg_shared::api::SESSION_HEADER;
use interseg_shared::api::session::{CreatedSession, Message, SessionList, SessionSummary};
use interseg_shared::error::ApiErrorBody;
use interseg_shared::ids::SessionId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::access::holds_token;
use super::blocking;
use super::cluster_hop::{Hop, hop};
use super::extract::AppPath;
use super::session_layer::create;
use crate::error::ApiError;
use crate::session::SessionMeta;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session))
        .routes(routes!(list_sessions))
        .routes(routes!(delete_session))
}

/// Creates a new, empty session.
#[utoipa::path(post, path = "/api/session", tag = "sessions",
    responses((status = 200, body = CreatedSession, description = "The new session; its id is also in the X-Session-ID header")))]
async fn create_session(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let session = create(&state).await?;
    let id = session.id.to_string();
    let header = HeaderValue::from_str(&id).map_err(|err| ApiError::Internal(err.to_string()))?;
    Ok((
        [(SESSION_HEADER, header)],
        Json(CreatedSession { session_id: id }),
    ))
}

/// Lists the sessions. Full ids only for a caller holding the administrator token
/// (`Authorization: Bearer <token>`); everyone else sees each id shortened.
#[utoipa::path(get, path = "/api/sessions", tag = "sessions",
    responses((status = 200, body = SessionList)))]
async fn list_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionList>, ApiError> {
    let is_admin = holds_token(&headers, state.config.admin_token.as_deref());
    // In a cluster: every node's sessions, those held elsewhere read from the shared files.
    let elsewhere = match &state.cluster {
        Some(cluster) => cluster
            .registry()
            .sessions()
            .await
            .map_err(|err| ApiError::ClusterUnavailable(err.to_string()))?,
        None => Vec::new(),
    };
    let store = state.sessions.clone();
    let mut all: Vec<(SessionId, SessionMeta)> = blocking(move || {
        let mut all: Vec<(SessionId, SessionMeta)> =
            store.list().iter().map(|s| (s.id, s.meta())).collect();
        for id in elsewhere {
            if store.get(id).is_none()
                && let Some(meta) = store.meta_on_disk(id)
            {
                all.push((id, meta));
            }
        }
        Ok(all)
    })
    .await?;
    all.sort_by_key(|(id, meta)| (meta.created_at, *id));
    let sessions = all
        .into_iter()
        .map(|(id, meta)| SessionSummary {
            session_id: if is_admin {
                id.to_string()
            } else {
                format!("{}…", id.short())
            },
            created_at: meta.created_at,
            last_activity: meta.last_activity,
            nifti_loaded: meta.volume.is_some(),
            nifti_shape: meta.volume.map(|v| v.shape.to_vec()),
            total_points: meta.points.len(),
        })
        .collect();
    Ok(Json(SessionList { sessions }))
}

/// Deletes a session with everything it holds.
#[utoipa::path(delete, path = "/api/session/{session_id}", tag = "sessions",
    params(("session_id" = String, Path, description = "The session's id")),
    responses(
        (status = 200, body = Message),
        (status = 400, body = ApiErrorBody, description = "Not a UUID"),
        (status = 404, body = ApiErrorBody, description = "No such session"),
    ))]
async fn delete_session(
    State(state): State<AppState>,
    AppPath(session_id): AppPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let id: SessionId = session_id.parse()?;
    // In a cluster, the node that holds the session deletes it.
    if let Hop::Answered(response) = hop(&state, id, request).await {
        return Ok(response);
    }
    let store = state.sessions.clone();
    if !blocking(move || Ok(store.remove(id))).await? {
        return Err(ApiError::SessionNotFound);
    }
    if let Some(cluster) = &state.cluster {
        cluster.deleted(id).await?;
    }
    Ok(Json(Message {
        message: format!("Session {id} deleted"),
    })
    .into_response())
}
