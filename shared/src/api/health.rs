//! The liveness answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Answer of `GET /healthz`: the server is up and its session store answers.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `"ok"`.
    pub status: String,
    /// Sessions held (on disk, loaded or not).
    pub sessions: usize,
}
