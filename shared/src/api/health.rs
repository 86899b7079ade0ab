//! The liveness answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Answer of `GET /healthz`: the server is up and its session store answers.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `"ok"`.
    pub status: String,
    /// Sessions held (on disk, loaded or not); in a cluster, those this node holds.
    pub sessions: usize,
    /// In cluster mode: this node and whether it reaches the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterHealth>,
}

/// A cluster node's view of the cluster.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ClusterHealth {
    /// This node's id.
    pub node: String,
    /// Where the other nodes reach it.
    pub url: String,
    /// `"ok"`, or why the registry (Redis) cannot be reached. Without it the node goes on
    /// serving the sessions it holds; new sessions and take-overs fail until it is back.
    pub redis: String,
}
