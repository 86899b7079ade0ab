//! Bearer tokens: the optional API token that guards every endpoint of a shared server, and
//! the administrator token of `GET /api/sessions`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ApiError;
use crate::state::AppState;

/// Lets a request through when no API token is configured, or when it carries the API token
/// (or the administrator token, which implies it); answers 401 otherwise.
pub async fn require_api_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(token) = state.config.api_token.as_deref().filter(|t| !t.is_empty()) else {
        return Ok(next.run(request).await);
    };
    let headers = request.headers();
    if holds_token(headers, Some(token))
        || holds_token(headers, state.config.admin_token.as_deref())
    {
        Ok(next.run(request).await)
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// Whether the request carries `token` as `Authorization: Bearer <token>`.
pub fn holds_token(headers: &HeaderMap, token: Option<&str>) -> bool {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return false;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    constant_time_eq(given.as_bytes(), token.as_bytes())
}

/// Compares without an early exit, so response timing does not reveal a prefix of the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
