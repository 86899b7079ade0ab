//! Finds (or creates) the session of each session-scoped request, and names it in the
//! response's `X-Session-ID` header. In a cluster, a request for a session another node owns
//! is forwarded to it ([`super::cluster_hop`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use interseg_shared::api::SESSION_HEADER;
use interseg_shared::ids::SessionId;

use super::blocking;
use super::cluster_hop::{Hop, hop};
use crate::error::ApiError;
use crate::session::Session;
use crate::state::AppState;

/// The session a request works on, put in the request's extensions by [`resolve_session`].
#[derive(Clone)]
pub struct CurrentSession(pub Arc<Session>);

pub async fn resolve_session(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let given = request.headers().get(SESSION_HEADER).cloned();
    let (session, mut request) = match given {
        // The original API's backward compatibility: no header, a new session.
        None => match create(&state).await {
            Ok(session) => (session, request),
            Err(err) => return err.into_response(),
        },
        Some(value) => {
            let id = match value.to_str().unwrap_or_default().parse::<SessionId>() {
                Ok(id) => id,
                Err(err) => return ApiError::from(err).into_response(),
            };
            match hop(&state, id, request).await {
                Hop::Here(session, request) => (session, request),
                Hop::Answered(response) => return response,
            }
        }
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

/// A new session, registered with the cluster when there is one.
pub async fn create(state: &AppState) -> Result<Arc<Session>, ApiError> {
    let store = state.sessions.clone();
    let session = blocking(move || Ok(store.create()?)).await?;
    if let Some(cluster) = &state.cluster
        && let Err(err) = cluster.created(session.id).await
    {
        // Unregistered, nobody else could reach it: it must not exist.
        let (store, id) = (state.sessions.clone(), session.id);
        blocking(move || Ok(store.remove(id))).await.ok();
        return Err(err.into());
    }
    Ok(session)
}
