//! Session lifecycle: create, list, delete.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use interseg_shared::api::SESSION_HEADER;
use interseg_shared::api::session::{CreatedSession, Message, SessionList, SessionSummary};
use interseg_shared::error::ApiErrorBody;
use interseg_shared::ids::SessionId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::access::holds_token;
use super::blocking;
use super::extract::AppPath;
use crate::error::ApiError;
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
    let store = state.sessions.clone();
    let session = blocking(move || Ok(store.create()?)).await?;
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
async fn list_sessions(State(state): State<AppState>, headers: HeaderMap) -> Json<SessionList> {
    let is_admin = holds_token(&headers, state.config.admin_token.as_deref());
    let sessions = state
        .sessions
        .list()
        .into_iter()
        .map(|session| {
            let meta = session.meta();
            SessionSummary {
                session_id: if is_admin {
                    session.id.to_string()
                } else {
                    format!("{}…", session.id.short())
                },
                created_at: meta.created_at,
                last_activity: meta.last_activity,
                nifti_loaded: meta.volume.is_some(),
                nifti_shape: meta.volume.map(|v| v.shape.to_vec()),
                total_points: meta.points.len(),
            }
        })
        .collect();
    Json(SessionList { sessions })
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
) -> Result<Json<Message>, ApiError> {
    let id: SessionId = session_id.parse()?;
    let store = state.sessions.clone();
    if !blocking(move || Ok(store.remove(id))).await? {
        return Err(ApiError::SessionNotFound);
    }
    Ok(Json(Message {
        message: format!("Session {id} deleted"),
    }))
}
