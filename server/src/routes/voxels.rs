//! The volume and the latest result as raw voxels, for clients that render themselves (the
//! viewer): fetched once, then every slice is cut locally. Voxels are little-endian at their
//! stored width, i fastest; gzip-compressed when the client accepts it.

use std::io::Write as _;

use axum::Extension;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use interseg_shared::api::volume::VolumeInfo;
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::SessionHeader;
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::state::AppState;
use crate::volume::nifti::geometry::world_from_voxel;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(volume_info))
        .routes(routes!(volume_voxels))
        .routes(routes!(segmentation_voxels))
}

/// The volume's shape, stored type, scaling, spacing and voxel-to-world affine.
#[utoipa::path(get, path = "/api/volume", tag = "volumes", params(SessionHeader),
    responses(
        (status = 200, body = VolumeInfo),
        (status = 400, body = ApiErrorBody, description = "No volume"),
    ))]
async fn volume_info(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Result<Json<VolumeInfo>, ApiError> {
    let loaded = blocking(move || session.volume()?.ok_or(ApiError::NoVolume)).await?;
    let volume = &loaded.volume;
    Ok(Json(VolumeInfo {
        shape: volume.dims(),
        dtype: volume.voxels().voxel_type(),
        scl_slope: volume.scaling().slope,
        scl_inter: volume.scaling().inter,
        data_range: loaded.data_range,
        spacing_mm: loaded.spacing_mm(),
        affine: world_from_voxel(&loaded.header),
    }))
}

/// The volume's voxels: stored type, little-endian, i fastest (see `GET /api/volume`).
#[utoipa::path(get, path = "/api/volume/voxels", tag = "volumes", params(SessionHeader),
    responses(
        (status = 200, description = "Raw voxels (gzip when accepted)", content_type = "application/octet-stream"),
        (status = 400, body = ApiErrorBody, description = "No volume"),
    ))]
async fn volume_voxels(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    voxel_response(&headers, move || {
        let loaded = session.volume()?.ok_or(ApiError::NoVolume)?;
        Ok(loaded.volume.voxels().to_le_bytes())
    })
    .await
}

/// The latest result's labels: one byte per voxel, i fastest.
#[utoipa::path(get, path = "/api/segmentation/voxels", tag = "segmentation", params(SessionHeader),
    responses(
        (status = 200, description = "Raw labels (gzip when accepted)", content_type = "application/octet-stream"),
        (status = 404, body = ApiErrorBody, description = "No segmentation yet"),
    ))]
async fn segmentation_voxels(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    voxel_response(&headers, move || {
        let labels = session.result_labels()?;
        Ok(labels.volume.voxels().to_le_bytes())
    })
    .await
}

/// Produces the raw bytes and compresses them (when the client accepts gzip), both off the
/// runtime's threads.
async fn voxel_response(
    headers: &HeaderMap,
    produce: impl FnOnce() -> Result<Vec<u8>, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    let gzip = accepts_gzip(headers);
    let body = blocking(move || encode(produce()?, gzip)).await?;
    Ok(octet_stream(body, gzip))
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

fn octet_stream(body: Vec<u8>, gzip: bool) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response();
    if gzip {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

fn encode(bytes: Vec<u8>, gzip: bool) -> Result<Vec<u8>, ApiError> {
    if !gzip {
        return Ok(bytes);
    }
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::fast(),
    );
    encoder
        .write_all(&bytes)
        .and_then(|()| encoder.finish())
        .map_err(|err| ApiError::Internal(format!("compressing voxels failed: {err}")))
}
