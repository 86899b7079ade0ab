//! Finds (or creates) the session of each session-scoped request, and names it in the
//! response's `X-Session-ID` header.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use interseg_shared::api::SESSION_HEADER;
use interseg_shared::ids::SessionId;

use super::blocking;
use crate::error::ApiError;
use crate::session::Session;
use crate::state::AppState;

/// The session a request works on, put in the request's extensions by [`resolve_session`].
#[derive(Clone)]
pub struct CurrentSession(pub Arc<Session>);

pub async fn resolve_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let given = request.headers().get(SESSION_HEADER).cloned();
    let session = match find_or_create(&state, given).await {
        Ok(session) => session,
        Err(err) => return err.into_response(),
    };
    session.touch();
    let header = HeaderValue::from_str(&session.id.to_string());
    let id = session.id;
    request.extensions_mut().insert(CurrentSession(session));
    let mut response = next.run(request).await;
    // This request may have decoded a volume: over the budget, others' are let go.
    if state.sessions.memory().over_budget() {
        let store = state.sessions.clone();
        blocking(move || Ok(store.enforce_memory_budget(id)))
            .await
            .ok();
    }
    if let Ok(value) = header {
        response.headers_mut().insert(SESSION_HEADER, value);
    }
    response
}

async fn find_or_create(
    state: &AppState,
    given: Option<HeaderValue>,
) -> Result<Arc<Session>, ApiError> {
    match given {
        // The original API's backward compatibility: no header, a new session.
        None => {
            let store = state.sessions.clone();
            blocking(move || Ok(store.create()?)).await
        }
        Some(value) => {
            let text = value.to_str().unwrap_or_default();
            let id: SessionId = text.parse()?;
            state.sessions.get(id).ok_or(ApiError::SessionNotFound)
        }
    }
}
