//! How the session names its labels (`/api/naming`): numbers, or FDI or Universal teeth.

use interseg_shared::api::naming::{NamingRequest, NamingResponse};
use interseg_shared::naming::LabelNaming;
use reqwest::Method;

use super::{ClientError, ServerClient, SessionId};

impl ServerClient {
    pub async fn naming(&self, session_id: SessionId) -> Result<NamingResponse, ClientError> {
        self.json(self.request(Method::GET, "/api/naming", Some(session_id)))
            .await
    }

    pub async fn set_naming(
        &self,
        session_id: SessionId,
        naming: LabelNaming,
    ) -> Result<NamingResponse, ClientError> {
        let body = NamingRequest { naming };
        self.json(
            self.request(Method::PUT, "/api/naming", Some(session_id))
                .json(&body),
        )
        .await
    }
}
