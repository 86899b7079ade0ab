//! Talking to an interseg server over HTTP, exactly as a script would. Async: the app runs
//! these calls on a background runtime and gets the answers through a channel, so the UI
//! thread never waits on the network.
//!
//! - [`volume`]: uploading a file with progress, fetching the voxels and labels.
//! - [`prompts`]: include/exclude points with undo and redo.
//! - [`segmentation`]: segmentation jobs and downloading the result.

pub mod locks;
pub mod naming;
pub mod prompts;
pub mod segmentation;
pub mod volume;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use interseg_shared::api::SESSION_HEADER;
use interseg_shared::api::session::CreatedSession;
use interseg_shared::api::status::StatusResponse;
use interseg_shared::error::ApiErrorBody;
use reqwest::{Method, RequestBuilder};

pub use interseg_shared::ids::{InvalidSessionId, SessionId};

/// A server call failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the server at {url} cannot be reached ({reason})")]
    Unreachable { url: String, reason: String },
    #[error("the server refused: {detail} ({status})")]
    Refused { status: u16, detail: String },
    #[error("the server's answer could not be read ({0})")]
    Unreadable(String),
    #[error("{0}")]
    Local(String),
}

impl ClientError {
    /// Whether the server could not be reached at all (as opposed to refusing).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }
}

/// The HTTP client: idle connections are let go before the server's idle timeout (30 s by
/// default) closes them, so a request never races a connection the server is closing.
fn http_client(ca_file: Option<&Path>) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(20));
    if let Some(path) = ca_file {
        let unusable = |reason: String| {
            ClientError::Local(format!(
                "the CA file {} cannot be used: {reason}",
                path.display()
            ))
        };
        let pem = std::fs::read(path).map_err(|e| unusable(e.to_string()))?;
        let certificates =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| unusable(e.to_string()))?;
        if certificates.is_empty() {
            return Err(unusable("it holds no certificate".to_owned()));
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder
        .build()
        .map_err(|e| ClientError::Local(format!("the HTTP client cannot start: {e}")))
}

/// How the viewer got its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionStart {
    /// The stored session is still on the server, with its volume, prompts and result.
    Resumed(SessionId),
    /// A new session; `stored_was_gone` when the server no longer knew the stored one.
    Created {
        session_id: SessionId,
        stored_was_gone: bool,
    },
}

impl SessionStart {
    pub fn session_id(&self) -> SessionId {
        match self {
            Self::Resumed(id) | Self::Created { session_id: id, .. } => *id,
        }
    }
}

/// One server, reached over HTTP, with an optional API token.
#[derive(Clone, Debug)]
pub struct ServerClient {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
    /// Requests made so far, shared by clones (slices must never need one).
    sent: Arc<AtomicU64>,
    /// Ask for voxels gzip-compressed: worth it over a network, not over loopback, where
    /// compressing costs more time than sending.
    compress_voxels: bool,
}

impl ServerClient {
    pub fn new(base: &str) -> Self {
        Self::with_token(base, None)
    }

    /// A client that sends `Authorization: Bearer <token>` with every request.
    pub fn with_token(base: &str, token: Option<String>) -> Self {
        Self::build(base, token, http_client(None).unwrap_or_default())
    }

    /// A client for `base` (`http://` or `https://`) that also trusts the certificate
    /// authorities in the PEM file `ca_file` (a lab's own CA or a self-signed certificate).
    pub fn connect(
        base: &str,
        token: Option<String>,
        ca_file: Option<&Path>,
    ) -> Result<Self, ClientError> {
        Ok(Self::build(base, token, http_client(ca_file)?))
    }

    fn build(base: &str, token: Option<String>, http: reqwest::Client) -> Self {
        let base = base.trim_end_matches('/').to_owned();
        let loopback = reqwest::Url::parse(&base).is_ok_and(|url| match url.host_str() {
            Some("localhost") => true,
            Some(host) => host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()),
            None => false,
        });
        Self {
            base,
            token: token.filter(|t| !t.is_empty()),
            http,
            sent: Arc::new(AtomicU64::new(0)),
            compress_voxels: !loopback,
        }
    }

    /// Overrides whether voxels are fetched gzip-compressed.
    pub fn with_compressed_voxels(mut self, compress: bool) -> Self {
        self.compress_voxels = compress;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether voxels are fetched gzip-compressed (not from a server on this machine).
    pub fn compresses_voxels(&self) -> bool {
        self.compress_voxels
    }

    /// How many requests this client (and its clones) has made.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// A request to `path` (starting with `/api`), in `session` when given.
    fn request(&self, method: Method, path: &str, session: Option<SessionId>) -> RequestBuilder {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(id) = session {
            request = request.header(SESSION_HEADER, id.to_string());
        }
        request
    }

    /// A session's status.
    pub async fn status(&self, session_id: SessionId) -> Result<StatusResponse, ClientError> {
        self.json(self.request(Method::GET, "/api/status", Some(session_id)))
            .await
    }

    /// Whether the server answers at all (an answer refusing the token is an answer too).
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.send(self.request(Method::GET, "/healthz", None))
            .await
            .map(|_| ())
    }

    pub async fn create_session(&self) -> Result<SessionId, ClientError> {
        let created: CreatedSession = self
            .json(self.request(Method::POST, "/api/session", None))
            .await?;
        created
            .session_id
            .parse()
            .map_err(|err: InvalidSessionId| ClientError::Unreadable(err.to_string()))
    }

    /// Resumes the stored session (its id as stored) if the server still has it, else
    /// starts a new one.
    pub async fn resume_or_create(
        &self,
        stored: Option<&str>,
    ) -> Result<SessionStart, ClientError> {
        let Some(stored) = stored else {
            return Ok(SessionStart::Created {
                session_id: self.create_session().await?,
                stored_was_gone: false,
            });
        };
        let known = match stored.parse::<SessionId>() {
            Ok(id) => match self.status(id).await {
                Ok(_) => return Ok(SessionStart::Resumed(id)),
                // Expired or deleted.
                Err(ClientError::Refused {
                    status: 400 | 404, ..
                }) => false,
                Err(err) => return Err(err),
            },
            // A garbled id.
            Err(_) => false,
        };
        Ok(SessionStart::Created {
            session_id: self.create_session().await?,
            stored_was_gone: !known,
        })
    }

    /// Sends the request; a status other than 2xx becomes [`ClientError::Refused`] with the
    /// server's `detail`.
    async fn send(&self, request: RequestBuilder) -> Result<reqwest::Response, ClientError> {
        let response = request.send().await.map_err(|err| self.unreachable(&err))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let bytes = response.bytes().await.unwrap_or_default();
        let detail = serde_json::from_slice::<ApiErrorBody>(&bytes)
            .map(|body| body.detail)
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
        Err(ClientError::Refused {
            status: status.as_u16(),
            detail,
        })
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, ClientError> {
        let bytes = self
            .send(request)
            .await?
            .bytes()
            .await
            .map_err(|err| self.unreachable(&err))?;
        serde_json::from_slice(&bytes).map_err(|err| ClientError::Unreadable(err.to_string()))
    }

    fn unreachable(&self, err: &reqwest::Error) -> ClientError {
        if err.is_decode() || err.is_body() {
            return ClientError::Unreadable(err.to_string());
        }
        ClientError::Unreachable {
            url: self.base.clone(),
            reason: err.to_string(),
        }
    }
}
