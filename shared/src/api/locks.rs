//! Locked labels (`/api/locks`): finished objects that later runs keep as they are.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Body of `PUT /api/locks`: the labels to lock, all others unlocked.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LocksRequest {
    /// Labels 1–255 that have voxels in the latest result.
    pub locked: Vec<i64>,
}

/// Answer of `GET|PUT /api/locks`: the locked labels, ascending.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LocksResponse {
    pub locked: Vec<u8>,
    pub session_id: String,
}
