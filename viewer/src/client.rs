//! Talking to an interseg server over HTTP, exactly as a script would. Async: the app runs
//! these calls on a background runtime and gets the answers through a channel, so the UI
//! thread never waits on the network.

use interseg_shared::api::SESSION_HEADER;
use interseg_shared::api::session::CreatedSession;
use interseg_shared::api::status::StatusResponse;
use interseg_shared::error::ApiErrorBody;
use reqwest::StatusCode;

/// A server call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the server at {url} cannot be reached ({reason})")]
    Unreachable { url: String, reason: String },
    #[error("the server refused: {detail} ({status})")]
    Refused { status: u16, detail: String },
    #[error("the server's answer could not be read ({0})")]
    Unreadable(String),
}

/// How the viewer got its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionStart {
    /// The stored session is still on the server, with its volume, prompts and result.
    Resumed(String),
    /// A new session; `stored_was_gone` when the server no longer knew the stored one.
    Created {
        session_id: String,
        stored_was_gone: bool,
    },
}

impl SessionStart {
    pub fn session_id(&self) -> &str {
        match self {
            Self::Resumed(id) | Self::Created { session_id: id, .. } => id,
        }
    }
}

/// One server, reached over HTTP.
#[derive(Clone, Debug)]
pub struct ServerClient {
    base: String,
    http: reqwest::Client,
}

impl ServerClient {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// A session's status.
    pub async fn status(&self, session_id: &str) -> Result<StatusResponse, ClientError> {
        let request = self
            .http
            .get(format!("{}/api/status", self.base))
            .header(SESSION_HEADER, session_id);
        self.json(request).await
    }

    pub async fn create_session(&self) -> Result<String, ClientError> {
        let created: CreatedSession = self
            .json(self.http.post(format!("{}/api/session", self.base)))
            .await?;
        Ok(created.session_id)
    }

    /// Resumes the stored session if the server still has it, else starts a new one.
    pub async fn resume_or_create(
        &self,
        stored: Option<&str>,
    ) -> Result<SessionStart, ClientError> {
        if let Some(id) = stored {
            match self.status(id).await {
                Ok(_) => return Ok(SessionStart::Resumed(id.to_owned())),
                // Expired, deleted, or a garbled id: start afresh and say so.
                Err(ClientError::Refused {
                    status: 400 | 404, ..
                }) => {
                    let session_id = self.create_session().await?;
                    return Ok(SessionStart::Created {
                        session_id,
                        stored_was_gone: true,
                    });
                }
                Err(err) => return Err(err),
            }
        }
        let session_id = self.create_session().await?;
        Ok(SessionStart::Created {
            session_id,
            stored_was_gone: false,
        })
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let response = request
            .send()
            .await
            .map_err(|err| ClientError::Unreachable {
                url: self.base.clone(),
                reason: err.to_string(),
            })?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| ClientError::Unreadable(err.to_string()))?;
        if status != StatusCode::OK {
            let detail = serde_json::from_slice::<ApiErrorBody>(&bytes)
                .map(|body| body.detail)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
            return Err(ClientError::Refused {
                status: status.as_u16(),
                detail,
            });
        }
        serde_json::from_slice(&bytes).map_err(|err| ClientError::Unreadable(err.to_string()))
    }
}
