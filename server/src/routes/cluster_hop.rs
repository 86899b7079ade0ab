//! A request's hop in a cluster: served here when this node holds its session (taking it over
//! when nobody does), else forwarded to the node that does. A request another node forwarded
//! is never forwarded again. Alone (no `--redis-url`), a session is here or nowhere.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{Extensions, HeaderMap, Method, Uri, Version, header};
use axum::response::{IntoResponse, Response};
use interseg_shared::ids::SessionId;

use crate::cluster::Located;
use crate::cluster::forward::ForwardError;
use crate::error::ApiError;
use crate::session::Session;
use crate::state::AppState;

/// Bodies up to this size are kept, so that the request can go again if its first target
/// died on the way (every request but an upload).
const REPLAYABLE_BODY: u64 = 1 << 20;
/// Owners tried before giving up (each failure waits for the dead owner's lease to lapse).
const ATTEMPTS: usize = 3;

/// Where a request goes.
pub enum Hop {
    /// Served here, on this session.
    Here(Arc<Session>, Request),
    /// Already answered: by the owner, or with an error.
    Answered(Response),
}

/// Serves the request for session `id` here, or forwards it to its owner.
pub async fn hop(state: &AppState, id: SessionId, request: Request) -> Hop {
    // Held here: served at once, alone or in a cluster, with nothing kept or asked of Redis.
    if let Some(session) = state.sessions.get(id) {
        return Hop::Here(session, request);
    }
    let Some(cluster) = &state.cluster else {
        return answer(ApiError::SessionNotFound);
    };
    let forwarded = cluster.forwarded(request.headers());
    let mut request = match Replayable::new(request).await {
        Ok(request) => request,
        Err(err) => return answer(err),
    };
    for _ in 0..ATTEMPTS {
        let url = match cluster.locate(id, &state.sessions).await {
            Ok(Located::Here(session)) => match request.take() {
                Some(request) => return Hop::Here(session, request),
                None => break,
            },
            Ok(Located::Nowhere) => return answer(ApiError::SessionNotFound),
            Ok(Located::There(_)) if forwarded => {
                return answer(ApiError::ClusterUnavailable(
                    "the session is moving between servers".to_owned(),
                ));
            }
            Ok(Located::There(url)) => url,
            Err(err) => return answer(err.into()),
        };
        let Some(attempt) = request.take() else {
            break;
        };
        match cluster.forward(&url, attempt).await {
            Ok(response) => return Hop::Answered(response),
            // Its owner died: once its lease lapses, this node takes the session over.
            Err(ForwardError::Unreachable(why)) => {
                tracing::warn!(session = %id.short(), %url, "owner unreachable: {why}");
                if let Err(err) = cluster.await_lapse(id).await {
                    return answer(err.into());
                }
            }
            Err(err) => return answer(ApiError::ClusterUnavailable(err.to_string())),
        }
    }
    answer(ApiError::ClusterUnavailable(
        "the server holding this session stopped answering".to_owned(),
    ))
}

fn answer(err: ApiError) -> Hop {
    Hop::Answered(err.into_response())
}

/// A request that can be sent more than once when its body is small (kept in memory), or
/// once when it streams (an upload).
enum Replayable {
    Kept {
        method: Method,
        uri: Uri,
        version: Version,
        headers: HeaderMap,
        extensions: Extensions,
        body: Bytes,
    },
    Streamed(Option<Request>),
}

impl Replayable {
    async fn new(request: Request) -> Result<Self, ApiError> {
        let headers = request.headers();
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let chunked = headers.contains_key(header::TRANSFER_ENCODING);
        let small = !chunked && length.unwrap_or(0) <= REPLAYABLE_BODY;
        if !small {
            return Ok(Self::Streamed(Some(request)));
        }
        let (parts, body) = request.into_parts();
        #[expect(clippy::cast_possible_truncation, reason = "1 MiB")]
        let body = axum::body::to_bytes(body, REPLAYABLE_BODY as usize)
            .await
            .map_err(|err| {
                ApiError::InvalidJson(format!("the request body was cut short: {err}"))
            })?;
        Ok(Self::Kept {
            method: parts.method,
            uri: parts.uri,
            version: parts.version,
            headers: parts.headers,
            extensions: parts.extensions,
            body,
        })
    }

    /// The request to send or serve: again and again when kept, once when streamed.
    fn take(&mut self) -> Option<Request> {
        match self {
            Self::Kept {
                method,
                uri,
                version,
                headers,
                extensions,
                body,
            } => {
                let mut request = Request::new(Body::from(body.clone()));
                *request.method_mut() = method.clone();
                *request.uri_mut() = uri.clone();
                *request.version_mut() = *version;
                *request.headers_mut() = headers.clone();
                *request.extensions_mut() = extensions.clone();
                Some(request)
            }
            Self::Streamed(request) => request.take(),
        }
    }
}
