//! The volume: uploading a file (streamed, with progress), then fetching its description and
//! voxels once, so that every slice is cut locally on the GPU.

use std::io::Read as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::StreamExt as _;
use interseg_shared::api::volume::{UploadResponse, VolumeInfo};
use reqwest::Method;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use tokio_util::io::ReaderStream;

use super::{ClientError, ServerClient, SessionId};

/// What to upload.
#[derive(Clone, Debug)]
pub enum UploadSource {
    /// A file on this machine, streamed from disk.
    File(PathBuf),
    /// Bytes in memory (the bundled sample), under a file name that tells their format.
    Bytes { name: String, bytes: Vec<u8> },
}

impl UploadSource {
    /// The file name the server sees (it tells `.nii`, `.nii.gz`, `.dcm` or `.zip`).
    pub fn name(&self) -> String {
        match self {
            Self::File(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Self::Bytes { name, .. } => name.clone(),
        }
    }
}

/// How far a transfer has come; shared between the task and the UI, which reads it each frame.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    pub fn add(&self, bytes: usize) {
        self.done.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Bytes done and the total (0 when unknown).
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// The fraction done, when the total is known.
    pub fn fraction(&self) -> Option<f32> {
        let (done, total) = self.bytes();
        (total > 0).then(|| (done as f64 / total as f64).min(1.0) as f32)
    }
}

const CHUNK: usize = 256 * 1024;

impl ServerClient {
    /// Uploads a volume into the session (`POST /api/upload`), counting the bytes sent.
    pub async fn upload(
        &self,
        session_id: SessionId,
        source: UploadSource,
        progress: Arc<Progress>,
    ) -> Result<UploadResponse, ClientError> {
        let name = source.name();
        let counted = Arc::clone(&progress);
        let (body, length) = match source {
            UploadSource::File(path) => {
                let file = tokio::fs::File::open(&path).await.map_err(|err| {
                    ClientError::Local(format!("cannot open {}: {err}", path.display()))
                })?;
                let length = file
                    .metadata()
                    .await
                    .map_err(|err| ClientError::Local(err.to_string()))?
                    .len();
                let stream = ReaderStream::with_capacity(file, CHUNK).inspect(move |chunk| {
                    if let Ok(chunk) = chunk {
                        counted.add(chunk.len());
                    }
                });
                (reqwest::Body::wrap_stream(stream), length)
            }
            UploadSource::Bytes { bytes, .. } => {
                let length = bytes.len() as u64;
                let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                    bytes.chunks(CHUNK).map(|c| Ok(c.to_vec())).collect();
                let stream = futures_util::stream::iter(chunks).inspect(move |chunk| {
                    if let Ok(chunk) = chunk {
                        counted.add(chunk.len());
                    }
                });
                (reqwest::Body::wrap_stream(stream), length)
            }
        };
        progress.set_total(length);
        let part = reqwest::multipart::Part::stream_with_length(body, length).file_name(name);
        let form = reqwest::multipart::Form::new().part("file", part);
        self.json(
            self.request(Method::POST, "/api/upload", Some(session_id))
                .multipart(form),
        )
        .await
    }

    /// The volume's shape, type, scaling, spacing and affine (`GET /api/volume`).
    pub async fn volume_info(&self, session_id: SessionId) -> Result<VolumeInfo, ClientError> {
        self.json(self.request(Method::GET, "/api/volume", Some(session_id)))
            .await
    }

    /// The volume's raw voxels (stored type, little-endian, i fastest).
    pub async fn volume_voxels(
        &self,
        session_id: SessionId,
        progress: Arc<Progress>,
    ) -> Result<Vec<u8>, ClientError> {
        self.voxels("/api/volume/voxels", session_id, progress)
            .await
    }

    /// The latest result's labels, one byte per voxel; `None` when there is no result yet.
    pub async fn label_voxels(
        &self,
        session_id: SessionId,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let progress = Arc::new(Progress::default());
        match self
            .voxels("/api/segmentation/voxels", session_id, progress)
            .await
        {
            Ok(bytes) => Ok(Some(bytes)),
            Err(ClientError::Refused { status: 404, .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Fetches voxels (gzip-compressed from a remote server, inflated off the runtime's
    /// threads).
    async fn voxels(
        &self,
        path: &str,
        session_id: SessionId,
        progress: Arc<Progress>,
    ) -> Result<Vec<u8>, ClientError> {
        let mut request = self.request(Method::GET, path, Some(session_id));
        if self.compress_voxels {
            request = request.header(ACCEPT_ENCODING, "gzip");
        }
        let response = self.send(request).await?;
        let gzipped = response
            .headers()
            .get(CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes() == b"gzip");
        progress.set_total(response.content_length().unwrap_or(0));
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|err| self.unreachable(&err))?;
            progress.add(chunk.len());
            body.extend_from_slice(&chunk);
        }
        if !gzipped {
            return Ok(body);
        }
        tokio::task::spawn_blocking(move || {
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(body.as_slice())
                .read_to_end(&mut raw)
                .map(|_| raw)
        })
        .await
        .map_err(|err| ClientError::Local(err.to_string()))?
        .map_err(|err| ClientError::Unreadable(format!("bad gzip stream: {err}")))
    }
}
