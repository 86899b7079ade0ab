//! Extractors whose rejections answer in our error shape (422 with a `detail`).

use axum::extract::{FromRequest, FromRequestParts};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// `axum::Json`, rejecting with [`ApiError`].
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

/// `axum::extract::Path`, rejecting with [`ApiError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);

/// `axum::extract::Query`, rejecting with [`ApiError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

/// The session header, for the OpenAPI document of session-scoped endpoints.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[expect(dead_code, reason = "documents the header; the session layer reads it")]
pub struct SessionHeader {
    /// The session's id. Absent: a new session is created and its id returned in the
    /// `X-Session-ID` response header. Not a UUID: 400. Unknown or expired: 404.
    #[serde(rename = "X-Session-ID")]
    x_session_id: Option<String>,
}
