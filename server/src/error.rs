//! `ApiError`: every way a request can fail, and the one place that turns it into a response
//! (`{"detail": ...}` with the right status, as the original FastAPI server answered).

use axum::Json;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use interseg_shared::error::ApiErrorBody;
use interseg_shared::ids::InvalidSessionId;

use crate::cluster::ClusterError;
use crate::segmentation::EngineError;
use crate::session::run::RunError;
use crate::session::{Closing, MarkError, SessionError, StoreError};
use crate::volume::LoadError;

/// A failed request. The comment on each variant gives its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the `X-Session-ID` header is not a UUID.
    #[error("invalid X-Session-ID: {0}")]
    InvalidSessionId(#[from] InvalidSessionId),
    /// 404: no such session (never created, deleted or expired).
    #[error(
        "Session not found or expired. Create a new session (POST /api/session) or send no X-Session-ID to get one."
    )]
    SessionNotFound,
    /// 400: the request needs a volume and the session has none.
    #[error("No file uploaded. Upload a NIfTI file first (POST /api/upload).")]
    NoVolume,
    /// 400.
    #[error("Invalid axis {0}: must be 0, 1 or 2")]
    InvalidAxis(i64),
    /// 400.
    #[error("Slice index {index} out of range for axis {axis}: must be between 0 and {last}")]
    SliceOutOfRange {
        axis: usize,
        index: i64,
        last: usize,
    },
    /// 400.
    #[error(
        "Point ({x}, {y}) lies outside the slice, which has {cols} columns (x) and {rows} rows (y)"
    )]
    PointOutOfRange {
        x: i64,
        y: i64,
        cols: usize,
        rows: usize,
    },
    /// 400.
    #[error(transparent)]
    Mark(#[from] MarkError),
    /// 404.
    #[error("Point {0} not found")]
    NoSuchPoint(i64),
    /// 400.
    #[error("label must be between 1 and 255, got {0}")]
    InvalidLabel(i64),
    /// 400.
    #[error("a prompt needs exactly one of 'point' and 'box'")]
    PromptShape,
    /// 404.
    #[error("Prompt {0} not found")]
    NoSuchPrompt(u64),
    /// 404.
    #[error("Segmentation job {0} not found")]
    NoSuchJob(u64),
    /// 409: a DICOM SEG of a volume that did not come as DICOM.
    #[error(
        "A DICOM SEG refers to the DICOM series it segments, and this volume was not uploaded as DICOM: download the NIfTI or the .seg.nrrd instead"
    )]
    NotDicom,
    /// 409: a DICOM SEG of a result with no label in it.
    #[error("The latest result labels nothing: a DICOM SEG needs at least one segment")]
    EmptyResult,
    /// 409: a label to lock that the latest result does not hold.
    #[error("Label {0} has no voxels in the latest result: segment it before locking it")]
    LockWithoutVoxels(u8),
    /// 409.
    #[error("Nothing to undo")]
    NothingToUndo,
    /// 409.
    #[error("Nothing to redo")]
    NothingToRedo,
    /// 400.
    #[error("No points marked. Mark at least one point before running the segmentation.")]
    NoPoints,
    /// 404.
    #[error("No segmentation yet. Run the segmentation first (POST /api/run_segmentation).")]
    NoSegmentation,
    /// 404, as the original answers: the file types are `segmentation` and `labels`.
    #[error("File type '{0}' not found")]
    InvalidDownload(String),
    /// 400.
    #[error(
        "Unsupported file type {0:?}: upload a .nii or .nii.gz file, a .zip of a DICOM series or a .dcm file"
    )]
    UnsupportedFileType(String),
    /// 400: the file could not be read as a volume.
    #[error("Could not read the uploaded file: {0}")]
    InvalidFile(LoadError),
    /// 413.
    #[error("File too large: the limit is {limit} bytes")]
    UploadTooLarge { limit: u64 },
    /// 422: a multipart form without its `file` field.
    #[error("Field required: the multipart form needs a 'file' field")]
    MissingFile,
    /// 422 (413 when the body is over the limit, 408 when it stalled past the body timeout):
    /// the body is not a readable multipart form.
    #[error("Invalid multipart form: {0}")]
    Multipart(String, StatusCode),
    /// 422: a JSON body of the wrong shape.
    #[error("Invalid request body: {0}")]
    InvalidJson(String),
    /// 422: a path parameter of the wrong type.
    #[error("Invalid path parameter: {0}")]
    InvalidPath(String),
    /// 422: a query parameter of the wrong type or out of range.
    #[error("Invalid query parameter: {0}")]
    InvalidQuery(String),
    /// 404: the segmentation has no voxel of this label.
    #[error("Label {0} is not in the segmentation")]
    NoSuchLabel(u8),
    /// 409: the volume changed while the segmentation ran.
    #[error("A new file was uploaded while the segmentation ran; run it again")]
    Superseded,
    /// 503 with `Retry-After`: the server holds its maximum of sessions.
    #[error(
        "This server holds its maximum of {max} sessions; try again later, or delete a session you no longer need"
    )]
    TooManySessions { max: usize },
    /// 503 with `Retry-After`: in a cluster, the session's owner is changing (it stopped
    /// answering and is being taken over), or the registry (Redis) cannot be reached.
    #[error("{0}; try again in a moment")]
    ClusterUnavailable(String),
    /// 429 with `Retry-After`: this client sent more requests than the rate limit allows.
    #[error("Too many requests from this client; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// 401: the server asks for an API token.
    #[error("This server needs an API token: send it as 'Authorization: Bearer <token>'")]
    Unauthorized,
    /// 500: logged, and answered as "Internal error".
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidSessionId(_)
            | Self::NoVolume
            | Self::InvalidAxis(_)
            | Self::SliceOutOfRange { .. }
            | Self::PointOutOfRange { .. }
            | Self::Mark(_)
            | Self::NoPoints
            | Self::InvalidLabel(_)
            | Self::PromptShape
            | Self::UnsupportedFileType(_)
            | Self::InvalidFile(_) => StatusCode::BAD_REQUEST,
            Self::SessionNotFound
            | Self::NoSuchPoint(_)
            | Self::NoSuchPrompt(_)
            | Self::NoSuchJob(_)
            | Self::InvalidDownload(_)
            | Self::NoSuchLabel(_)
            | Self::NoSegmentation => StatusCode::NOT_FOUND,
            Self::UploadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MissingFile
            | Self::InvalidJson(_)
            | Self::InvalidPath(_)
            | Self::InvalidQuery(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Multipart(_, status) => *status,
            Self::Superseded
            | Self::NothingToUndo
            | Self::NothingToRedo
            | Self::LockWithoutVoxels(_)
            | Self::NotDicom
            | Self::EmptyResult => StatusCode::CONFLICT,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::TooManySessions { .. } | Self::ClusterUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl ApiError {
    /// What the client is told. A server-side cause is logged once, here, and the client gets
    /// no internals.
    pub fn client_detail(&self) -> String {
        if matches!(self, Self::Internal(_)) {
            tracing::error!("{self:#}");
            "Internal error".to_owned()
        } else {
            self.to_string()
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = self.client_detail();
        let mut response = (self.status(), Json(ApiErrorBody { detail })).into_response();
        match self {
            Self::TooManySessions { .. } => {
                // Sessions expire or get deleted; a minute is a fair wait before trying again.
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            }
            Self::RateLimited { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            Self::ClusterUnavailable(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::InvalidJson(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::InvalidPath(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::InvalidQuery(rejection.body_text())
    }
}

impl From<MultipartRejection> for ApiError {
    fn from(rejection: MultipartRejection) -> Self {
        Self::Multipart(rejection.body_text(), StatusCode::UNPROCESSABLE_ENTITY)
    }
}

impl From<MultipartError> for ApiError {
    fn from(err: MultipartError) -> Self {
        // A body that stalled past the server's body timeout: the client's fault, not ours.
        if stalled(&err) {
            return Self::Multipart(
                "The upload stalled: no data arrived for too long".to_owned(),
                StatusCode::REQUEST_TIMEOUT,
            );
        }
        let status = match err.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            status if status.is_server_error() => return Self::Internal(err.body_text()),
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::Multipart(err.body_text(), status)
    }
}

/// Whether a multipart error comes from the request body timing out.
fn stalled(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(e) = source {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = e.source();
    }
    false
}

impl From<LoadError> for ApiError {
    fn from(err: LoadError) -> Self {
        if err.is_bad_input() {
            Self::InvalidFile(err)
        } else {
            Self::Internal(err.to_string())
        }
    }
}

impl From<SessionError> for ApiError {
    fn from(err: SessionError) -> Self {
        match err {
            // A stored volume that no longer decodes is the server's problem, not the request's.
            SessionError::Load(load) => Self::Internal(format!("stored volume unreadable: {load}")),
            SessionError::NoResult => Self::NoSegmentation,
            SessionError::Closed(Closing::Deleted) => Self::SessionNotFound,
            SessionError::Closed(Closing::Moved) => Self::ClusterUnavailable(
                "the session moved to another server while this request ran".to_owned(),
            ),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ClusterError> for ApiError {
    fn from(err: ClusterError) -> Self {
        match err {
            ClusterError::Store(StoreError::Full { max }) => Self::TooManySessions { max },
            ClusterError::Task(why) => Self::Internal(why),
            other => Self::ClusterUnavailable(other.to_string()),
        }
    }
}

impl From<RunError> for ApiError {
    fn from(err: RunError) -> Self {
        match err {
            RunError::NoVolume => Self::NoVolume,
            RunError::NoPrompts => Self::NoPoints,
            RunError::Superseded => Self::Superseded,
            RunError::Engine(engine) => Self::from(engine),
            RunError::Session(session) => Self::from(session),
            RunError::Stopped(why) => Self::Internal(why),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Full { max } => Self::TooManySessions { max },
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::Cancelled => Self::Superseded,
            EngineError::NoPrompts => Self::NoPoints,
            EngineError::PromptOutside(_) | EngineError::Model(_) => {
                Self::Internal(err.to_string())
            }
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::Internal(format!("background task failed: {err}"))
    }
}
