//! Downloading the latest result: the label volume, the ITK-SNAP label file, or 3D Slicer's
//! segmentation file.

use axum::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use interseg_shared::api::volume::FileType;
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{AppPath, SessionHeader};
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::session::Session;
use crate::session::files::label_voxels;
use crate::state::AppState;
use crate::volume::dicom::series_references;
use crate::volume::dicom_seg::{SegError, dicom_seg};
use crate::volume::export::label_description;
use crate::volume::mesh::labels_present;
use crate::volume::nifti::geometry::world_from_voxel;
use crate::volume::{LoadError, VolumeFormat};

/// Where the result is downloaded from (the original answered a path on its own disk).
pub(super) const DOWNLOAD_PATH: &str = "/api/download/segmentation";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

/// The latest label volume (`segmentation`: `.nii.gz`, u8, in the input's space), its ITK-SNAP
/// label description file (`labels`: `.txt`), or 3D Slicer's segmentation file (`slicer`:
/// `.seg.nrrd`, one segment per label with its name and colour, in LPS), or for a volume
/// uploaded as DICOM a DICOM SEG (`dicom_seg`: `.dcm`, one segment per label, referring to
/// the series' instances).
#[utoipa::path(get, path = "/api/download/{file_type}", tag = "segmentation",
    params(("file_type" = String, Path, description = "`segmentation`, `labels`, `slicer` or `dicom_seg`"), SessionHeader),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            ("application/gzip"), ("text/plain"), ("application/octet-stream"),
        )),
        (status = 404, body = ApiErrorBody, description = "Another file type (`File type '<x>' not found`), or no segmentation yet"),
        (status = 409, body = ApiErrorBody, description = "`dicom_seg` of a volume not uploaded as DICOM, or of an empty result"),
    ))]
async fn download(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppPath(file_type): AppPath<String>,
) -> Result<Response, ApiError> {
    match file_type.as_str() {
        "segmentation" => {}
        "labels" => return label_file(&session),
        "slicer" => return slicer_file(session).await,
        "dicom_seg" => return dicom_seg_file(session).await,
        _ => return Err(ApiError::InvalidDownload(file_type)),
    }
    let bytes = blocking(move || Ok(session.result_nifti()?)).await?;
    Ok(attachment(bytes, "application/gzip", "segmentation.nii.gz"))
}

/// A file to save: its bytes with their type and the name to save them under.
pub fn attachment(bytes: impl IntoResponse, content_type: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The ITK-SNAP label file of the latest result, with the labels named as the session names
/// them now (a naming chosen after the segmentation applies too).
fn label_file(session: &Session) -> Result<Response, ApiError> {
    let meta = session.meta();
    let result = meta.result.ok_or(ApiError::NoSegmentation)?;
    let text = label_description(&result.unique_labels, meta.naming);
    Ok(attachment(text, "text/plain; charset=utf-8", "labels.txt"))
}

/// The latest result as 3D Slicer's `.seg.nrrd`, made from the stored label volume.
async fn slicer_file(session: std::sync::Arc<Session>) -> Result<Response, ApiError> {
    let bytes = blocking(move || {
        let loaded = session.result_labels()?;
        let labels = label_voxels(&loaded)?;
        let world = world_from_voxel(&loaded.header);
        crate::volume::slicer::seg_nrrd(
            labels,
            loaded.volume.dims(),
            &world,
            &labels_present(labels),
            session.meta().naming,
        )
        .map_err(|err| ApiError::Internal(format!("writing the .seg.nrrd failed: {err}")))
    })
    .await?;
    Ok(attachment(
        bytes,
        "application/octet-stream",
        "segmentation.seg.nrrd",
    ))
}

/// The latest result as a DICOM SEG referring to the series it came from.
async fn dicom_seg_file(session: std::sync::Arc<Session>) -> Result<Response, ApiError> {
    let bytes = blocking(move || {
        let meta = session.meta();
        let volume = meta.volume.ok_or(ApiError::NoVolume)?;
        if volume.file_type != FileType::Dicom {
            return Err(ApiError::NotDicom);
        }
        let loaded = session.result_labels()?;
        let labels = label_voxels(&loaded)?;
        let (file, format) = session.volume_file().ok_or(ApiError::NoSegmentation)?;
        let zipped = format == VolumeFormat::DicomZip;
        let source = series_references(&file, zipped).map_err(|err| match err {
            // Replaced by a new upload meanwhile, and its result with it.
            LoadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                ApiError::NoSegmentation
            }
            other => ApiError::Internal(format!("reading the stored series failed: {other}")),
        })?;
        dicom_seg(&source, labels, loaded.volume.dims(), meta.naming).map_err(|err| match err {
            SegError::Empty => ApiError::EmptyResult,
            other => ApiError::Internal(other.to_string()),
        })
    })
    .await?;
    Ok(attachment(bytes, "application/dicom", "segmentation.dcm"))
}
