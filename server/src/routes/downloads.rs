//! Downloading the latest result: the label volume or the ITK-SNAP label file.

use axum::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CurrentSession;
use super::extract::{AppPath, SessionHeader};
use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

/// The latest label volume (`segmentation`: `.nii.gz`, u8, in the input's space) or its
/// ITK-SNAP label description file (`labels`: `.txt`).
#[utoipa::path(get, path = "/api/download/{file_type}", tag = "segmentation",
    params(("file_type" = String, Path, description = "`segmentation` or `labels`"), SessionHeader),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            ("application/gzip"), ("text/plain"),
        )),
        (status = 404, body = ApiErrorBody, description = "Another file type (`File type '<x>' not found`), or no segmentation yet"),
    ))]
async fn download(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppPath(file_type): AppPath<String>,
) -> Result<Response, ApiError> {
    let want_volume = match file_type.as_str() {
        "segmentation" => true,
        "labels" => false,
        _ => return Err(ApiError::InvalidDownload(file_type)),
    };
    let result = session.meta().result.ok_or(ApiError::NoSegmentation)?;
    let (file, content_type, name) = if want_volume {
        (
            result.labels_nifti,
            "application/gzip",
            "segmentation.nii.gz",
        )
    } else {
        (
            result.labels_text,
            "text/plain; charset=utf-8",
            "labels.txt",
        )
    };
    let bytes = tokio::fs::read(session.dir().join(file))
        .await
        .map_err(|err| match err.kind() {
            // Replaced by a newer result between reading the metadata and the file.
            std::io::ErrorKind::NotFound => ApiError::NoSegmentation,
            _ => ApiError::Internal(format!("reading the result failed: {err}")),
        })?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
