//! Surface meshes of the latest result, for 3D printing and planning: one label as STL or
//! OBJ, or every label in a zip.

use std::io::Write as _;

use axum::Extension;
use axum::response::Response;
use interseg_shared::error::ApiErrorBody;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::downloads::attachment;
use super::extract::{AppQuery, SessionHeader};
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::session::Session;
use crate::session::files::label_voxels;
use crate::state::AppState;
use crate::volume::mesh::{Frame, Mesh, label_mesh, labels_present, to_obj, to_stl};
use crate::volume::nifti::geometry::world_from_voxel;
use interseg_shared::naming::label_name;

/// Smoothing passes allowed: past this a surface changes no more, and the work grows.
const MAX_SMOOTH: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download_mesh))
}

#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MeshFormat {
    /// Binary STL.
    #[default]
    Stl,
    /// Wavefront OBJ.
    Obj,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MeshFrame {
    /// The NIfTI file's world frame (RAS+), as its affine gives it.
    #[default]
    Ras,
    /// x and y negated (LPS+: DICOM's frame, 3D Slicer's STL default).
    Lps,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeshQuery {
    /// The label to mesh; without it, every label's mesh in a zip.
    label: Option<u8>,
    /// `stl` (default) or `obj`.
    #[serde(default)]
    format: MeshFormat,
    /// Taubin smoothing passes (0 to 100; 0, the default, keeps the voxels' surface).
    #[serde(default)]
    smooth: usize,
    /// `ras` (default) or `lps`.
    #[serde(default)]
    frame: MeshFrame,
}

/// The latest result's surfaces: closed, outward-facing triangle meshes in millimetres in the
/// scanner's frame (RAS, or LPS on request), one per label.
#[utoipa::path(get, path = "/api/download/mesh", tag = "segmentation",
    params(MeshQuery, SessionHeader),
    responses(
        (status = 200, description = "One label's mesh, or a zip of every label's", content(
            ("model/stl"), ("model/obj"), ("application/zip"),
        )),
        (status = 404, body = ApiErrorBody, description = "No segmentation yet, or no such label in it"),
        (status = 422, body = ApiErrorBody, description = "A query parameter out of range"),
    ))]
async fn download_mesh(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppQuery(query): AppQuery<MeshQuery>,
) -> Result<Response, ApiError> {
    if query.smooth > MAX_SMOOTH {
        return Err(ApiError::InvalidQuery(format!(
            "smooth must be 0 to {MAX_SMOOTH}"
        )));
    }
    if query.label == Some(0) {
        return Err(ApiError::InvalidQuery(
            "label must be 1 to 255 (0 is the background)".to_owned(),
        ));
    }
    let (bytes, content_type, name) = blocking(move || meshes(&session, &query)).await?;
    Ok(attachment(bytes, content_type, &name))
}

/// The requested file: its bytes, content type and name. Blocking.
fn meshes(
    session: &Session,
    query: &MeshQuery,
) -> Result<(Vec<u8>, &'static str, String), ApiError> {
    let loaded = session.result_labels()?;
    let labels = label_voxels(&loaded)?;
    let dims = loaded.volume.dims();
    let world = world_from_voxel(&loaded.header);
    let frame = match query.frame {
        MeshFrame::Ras => Frame::Ras,
        MeshFrame::Lps => Frame::Lps,
    };
    let mesh_of = |label: u8| label_mesh(labels, dims, label, &world, frame, query.smooth);
    let naming = session.meta().naming;
    // The label's name (FDI or Universal for teeth) goes into the STL header and the OBJ
    // object; file names stay `label_<value>` for scripts.
    let file = |label: u8, mesh: &Mesh| -> (Vec<u8>, String) {
        let name = label_name(label, naming);
        let about = format!("interseg label {label}, mm, {}: {name}", frame.name());
        match query.format {
            MeshFormat::Stl => (to_stl(mesh, &about), format!("label_{label}.stl")),
            MeshFormat::Obj => (
                to_obj(mesh, &name, &about).into_bytes(),
                format!("label_{label}.obj"),
            ),
        }
    };
    let content_type = match query.format {
        MeshFormat::Stl => "model/stl",
        MeshFormat::Obj => "model/obj",
    };
    if let Some(label) = query.label {
        let mesh = mesh_of(label).ok_or(ApiError::NoSuchLabel(label))?;
        let (bytes, name) = file(label, &mesh);
        return Ok((bytes, content_type, name));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zip_error = |err: zip::result::ZipError| ApiError::Internal(format!("zip: {err}"));
    for label in labels_present(labels) {
        let Some(mesh) = mesh_of(label) else {
            continue;
        };
        let (bytes, name) = file(label, &mesh);
        zip.start_file(name, options).map_err(zip_error)?;
        zip.write_all(&bytes)
            .map_err(|err| ApiError::Internal(format!("zip: {err}")))?;
    }
    let bytes = zip.finish().map_err(zip_error)?.into_inner();
    Ok((bytes, "application/zip", "meshes.zip".to_owned()))
}
