//! Session lifecycle bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Answer of `POST /api/session`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedSession {
    pub session_id: String,
}

/// One entry of `GET /api/sessions`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionSummary {
    /// The full id for an administrator; otherwise its first 8 characters and `…`.
    pub session_id: String,
    pub created_at: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
    pub nifti_loaded: bool,
    pub nifti_shape: Option<Vec<usize>>,
    pub total_points: usize,
}

/// Answer of `GET /api/sessions`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<SessionSummary>,
}

/// A plain `{"message"}` answer.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Message {
    pub message: String,
}

/// A `{"message", "session_id"}` answer.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionMessage {
    pub message: String,
    pub session_id: String,
}
