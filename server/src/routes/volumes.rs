//! Uploading a volume: streamed to the session's folder, checked against the size limit while
//! it arrives, decoded off the runtime, and only then swapped in for the session's old one.

use std::path::Path;

use axum::extract::multipart::Field;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::{Extension, Json};
use interseg_shared::api::volume::{UploadForm, UploadResponse};
use interseg_shared::error::ApiErrorBody;
use tokio::io::AsyncWriteExt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CurrentSession;
use super::blocking;
use super::extract::SessionHeader;
use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;
use crate::volume::{self, VolumeFormat};

/// Room for the multipart framing around the file itself.
const FORM_OVERHEAD_BYTES: u64 = 1 << 20;

pub fn router(config: &Config) -> OpenApiRouter<AppState> {
    let body_limit = usize::try_from(config.max_upload_bytes.saturating_add(FORM_OVERHEAD_BYTES))
        .unwrap_or(usize::MAX);
    OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::max(body_limit))
}

/// Loads a volume into the session, replacing its volume, points and results.
#[utoipa::path(post, path = "/api/upload", tag = "volumes", params(SessionHeader),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = UploadResponse),
        (status = 400, body = ApiErrorBody, description = "Another file type, or a file that is not a readable NIfTI-1 volume or DICOM series"),
        (status = 413, body = ApiErrorBody, description = "Over the upload size limit"),
        (status = 422, body = ApiErrorBody, description = "No 'file' field in the form"),
    ))]
async fn upload(
    State(state): State<AppState>,
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    headers: axum::http::HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<UploadResponse>, ApiError> {
    // A body announced as too large is refused before a byte of it is read.
    let limit = state.config.max_upload_bytes;
    let announced = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit.saturating_add(FORM_OVERHEAD_BYTES)) {
        return Err(ApiError::UploadTooLarge { limit });
    }
    let mut multipart = multipart?;
    while let Some(field) = multipart.next_field().await? {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        let format = VolumeFormat::from_filename(&filename)
            .ok_or_else(|| ApiError::UnsupportedFileType(filename.clone()))?;
        let part = session.partial_upload();
        let received = receive(field, &part, state.config.max_upload_bytes).await;
        let loaded = match received {
            Ok(()) => {
                let (path, limits) = (part.clone(), state.limits());
                blocking(move || Ok(volume::load(&path, format, limits)?)).await
            }
            Err(err) => Err(err),
        };
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(err) => {
                // The session keeps what it had; only the partial upload goes.
                tokio::fs::remove_file(&part).await.ok();
                return Err(err);
            }
        };
        let (shape, data_range) = (loaded.volume.dims(), loaded.data_range);
        let session_for_swap = session.clone();
        let stored =
            blocking(
                move || Ok(session_for_swap.replace_volume(&part, &filename, format, loaded)?),
            )
            .await?;
        tracing::info!(session = %session.id.short(), file = %stored.filename, ?shape, "volume loaded");
        return Ok(Json(UploadResponse {
            message: format!("File {} uploaded successfully", stored.filename),
            session_id: session.id.to_string(),
            shape: shape.to_vec(),
            data_range,
            file_type: stored.file_type,
        }));
    }
    Err(ApiError::MissingFile)
}

/// Streams the field into `path`, failing with 413 as soon as it passes `limit` bytes.
async fn receive(mut field: Field<'_>, path: &Path, limit: u64) -> Result<(), ApiError> {
    let io_error =
        |err: std::io::Error| ApiError::Internal(format!("writing the upload failed: {err}"));
    let mut file = tokio::fs::OpenOptions::from(crate::session::private::new_file())
        .open(path)
        .await
        .map_err(io_error)?;
    let mut received = 0u64;
    while let Some(chunk) = field.chunk().await? {
        received += chunk.len() as u64;
        if received > limit {
            return Err(ApiError::UploadTooLarge { limit });
        }
        file.write_all(&chunk).await.map_err(io_error)?;
    }
    file.flush().await.map_err(io_error)?;
    file.sync_all().await.map_err(io_error)?;
    Ok(())
}
