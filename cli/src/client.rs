//! The server's HTTP API as this tool uses it: one session, bearer token if given, and the
//! server's `detail` when it refuses.

use std::path::Path;
use std::time::Duration;

use futures_util::TryStreamExt;
use indicatif::ProgressBar;
use interseg_shared::api::SESSION_HEADER;
use interseg_shared::api::prompts::{AddPromptRequest, SlicePoint};
use interseg_shared::api::segmentation::JobResponse;
use interseg_shared::api::session::{CreatedSession, SessionList};
use interseg_shared::api::volume::UploadResponse;
use reqwest::{RequestBuilder, Response, StatusCode, multipart};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the server at {url}")]
    Unreachable { url: String, source: reqwest::Error },
    #[error("the server answered {status}: {detail}")]
    Refused { status: StatusCode, detail: String },
    #[error("unexpected answer from the server")]
    Answer(#[source] reqwest::Error),
    #[error("cannot use the CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("cannot start the HTTP client")]
    Http(#[source] reqwest::Error),
    #[error("cannot read {path}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

/// Every label's surface, smoothed for printing, in a zip (`/api/download/mesh`).
pub const MESHES: &str = "mesh?format=stl&smooth=10";

/// A connection to one server, optionally bound to a session.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    session: Option<String>,
}

impl Client {
    /// A client for `server` (`http://` or `https://`), trusting also the certificate
    /// authorities in the PEM file `ca_file` when given.
    pub fn new(
        server: &str,
        token: Option<String>,
        ca_file: Option<&Path>,
    ) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder();
        if let Some(path) = ca_file {
            let unusable = |reason: String| ClientError::CaFile {
                path: path.display().to_string(),
                reason,
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
        Ok(Self {
            http: builder.build().map_err(ClientError::Http)?,
            base: server.trim_end_matches('/').to_owned(),
            token: token.filter(|t| !t.is_empty()),
            session: None,
        })
    }

    pub fn with_session(mut self, session: String) -> Self {
        self.session = Some(session);
        self
    }

    fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(session) = &self.session {
            request = request.header(SESSION_HEADER, session);
        }
        request
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response, ClientError> {
        let response = request
            .send()
            .await
            .map_err(|source| ClientError::Unreachable {
                url: self.base.clone(),
                source,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        let detail = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| {
                v.get("detail")
                    .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_owned))
            })
            .unwrap_or(text);
        Err(ClientError::Refused { status, detail })
    }

    /// Creates a session and binds this client to it.
    pub async fn create_session(&mut self) -> Result<String, ClientError> {
        let created: CreatedSession = self
            .send(self.request(reqwest::Method::POST, "/api/session"))
            .await?
            .json()
            .await
            .map_err(ClientError::Answer)?;
        self.session = Some(created.session_id.clone());
        Ok(created.session_id)
    }

    /// Uploads a scan (NIfTI, DICOM or a zip of a series), counting bytes on `progress`.
    pub async fn upload(
        &self,
        path: &Path,
        progress: &ProgressBar,
    ) -> Result<UploadResponse, ClientError> {
        let file_error = |source| ClientError::File {
            path: path.display().to_string(),
            source,
        };
        let file = tokio::fs::File::open(path).await.map_err(file_error)?;
        let size = file.metadata().await.map_err(file_error)?.len();
        progress.set_length(size);
        let counted = progress.clone();
        let stream = tokio_util::io::ReaderStream::new(file).inspect_ok(move |chunk| {
            counted.inc(chunk.len() as u64);
        });
        let name = path
            .file_name()
            .map_or_else(|| "scan".to_owned(), |n| n.to_string_lossy().into_owned());
        let part = multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
            .file_name(name);
        let form = multipart::Form::new().part("file", part);
        self.send(
            self.request(reqwest::Method::POST, "/api/upload")
                .multipart(form),
        )
        .await?
        .json()
        .await
        .map_err(ClientError::Answer)
    }

    /// Adds a point for `label`: `voxel` is (i, j, k), shown on axial slice k at column j,
    /// row i.
    pub async fn add_point(
        &self,
        label: u8,
        include: bool,
        voxel: [i64; 3],
    ) -> Result<(), ClientError> {
        let body = AddPromptRequest {
            label: i64::from(label),
            include,
            point: Some(SlicePoint {
                axis: 2,
                slice_index: voxel[2],
                x: voxel[1],
                y: voxel[0],
            }),
            rect: None,
        };
        self.send(
            self.request(reqwest::Method::POST, "/api/prompts")
                .json(&body),
        )
        .await?;
        Ok(())
    }

    /// Runs a segmentation job, showing its progress, until it ends.
    pub async fn segment(&self, progress: &ProgressBar) -> Result<JobResponse, ClientError> {
        let mut job: JobResponse = self
            .send(self.request(reqwest::Method::POST, "/api/segmentation/jobs"))
            .await?
            .json()
            .await
            .map_err(ClientError::Answer)?;
        progress.set_length(100);
        loop {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a percentage"
            )]
            progress.set_position((job.progress.clamp(0.0, 1.0) * 100.0) as u64);
            if job.state != interseg_shared::api::segmentation::JobState::Running {
                return Ok(job);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            let path = format!("/api/segmentation/jobs/{}", job.job_id);
            job = self
                .send(self.request(reqwest::Method::GET, &path))
                .await?
                .json()
                .await
                .map_err(ClientError::Answer)?;
        }
    }

    /// A result file: `segmentation` (label NIfTI), `labels` (ITK-SNAP label file) or
    /// [`MESHES`].
    pub async fn download(&self, what: &str) -> Result<Vec<u8>, ClientError> {
        let path = format!("/api/download/{what}");
        let bytes = self
            .send(self.request(reqwest::Method::GET, &path))
            .await?
            .bytes()
            .await
            .map_err(ClientError::Answer)?;
        Ok(bytes.to_vec())
    }

    /// Sets how the session names its labels (`numbers`, `fdi` or `universal`).
    pub async fn set_naming(&self, naming: &str) -> Result<(), ClientError> {
        let body = serde_json::json!({ "naming": naming });
        self.send(
            self.request(reqwest::Method::PUT, "/api/naming")
                .json(&body),
        )
        .await?;
        Ok(())
    }

    pub async fn sessions(&self) -> Result<SessionList, ClientError> {
        self.send(self.request(reqwest::Method::GET, "/api/sessions"))
            .await?
            .json()
            .await
            .map_err(ClientError::Answer)
    }

    pub async fn delete_session(&self, id: &str) -> Result<(), ClientError> {
        let path = format!("/api/session/{id}");
        self.send(self.request(reqwest::Method::DELETE, &path))
            .await?;
        Ok(())
    }
}
