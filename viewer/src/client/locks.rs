//! Locked labels (`/api/locks`): finished objects that later runs keep as they are.

use interseg_shared::api::locks::{LocksRequest, LocksResponse};
use reqwest::Method;

use super::{ClientError, ServerClient, SessionId};

impl ServerClient {
    pub async fn locks(&self, session_id: SessionId) -> Result<LocksResponse, ClientError> {
        self.json(self.request(Method::GET, "/api/locks", Some(session_id)))
            .await
    }

    /// Locks exactly `locked` (every other label unlocked).
    pub async fn set_locks(
        &self,
        session_id: SessionId,
        locked: &[u8],
    ) -> Result<LocksResponse, ClientError> {
        let body = LocksRequest {
            locked: locked.iter().map(|&l| i64::from(l)).collect(),
        };
        self.json(
            self.request(Method::PUT, "/api/locks", Some(session_id))
                .json(&body),
        )
        .await
    }
}
