//! Slices for display, as the original served them: 8-bit rows normalised per slice.

use axum::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use interseg_shared::api::slice::{MarkedPoint2d, SliceResponse};
use interseg_shared::color::label_color;
use interseg_shared::error::ApiErrorBody;
use interseg_shared::geometry::{Axis, slice_from_voxel};
use interseg_shared::volume::normalize_slice;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{AppPath, SessionHeader};
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::session::{Durability, Point, SessionError};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    // A 512² slice is 777 KB of JSON: gzip when the client asks (`Accept-Encoding`), identity
    // when it does not, as the original's clients expect. The fastest level: the encoding runs
    // on the response stream, and JSON of small integers compresses well even so.
    OpenApiRouter::new()
        .routes(routes!(slice))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
}

/// One slice of the volume (`np.take(volume, slice_index, axis)`) as 8-bit display values,
/// with the points that lie on it. Remembers the axis and index as the session's view.
#[utoipa::path(get, path = "/api/slice/{axis}/{slice_index}", tag = "volumes",
    params(
        ("axis" = i64, Path, description = "0, 1 or 2: the array index held fixed"),
        ("slice_index" = i64, Path, description = "The index along that axis"),
        SessionHeader,
    ),
    responses(
        (status = 200, body = SliceResponse),
        (status = 400, body = ApiErrorBody, description = "No volume, axis not 0–2, or index out of range"),
    ))]
async fn slice(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppPath((axis_number, index)): AppPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    let axis = Axis::from_number(axis_number).ok_or(ApiError::InvalidAxis(axis_number))?;
    let body = blocking(move || {
        let loaded = session.volume()?.ok_or(ApiError::NoVolume)?;
        let count = loaded.volume.dims()[axis.number()];
        let slice_index = usize::try_from(index).ok().filter(|&i| i < count).ok_or(
            ApiError::SliceOutOfRange {
                axis: axis.number(),
                index,
                last: count.saturating_sub(1),
            },
        )?;
        let slice = loaded
            .volume
            .slice(axis, slice_index)
            .ok_or(ApiError::NoVolume)?;
        let slice_data = normalize_slice(&slice);
        let marked_points = session.update(Durability::Buffered, |state| {
            state.meta.current_axis = axis.number();
            state.meta.current_slice = slice_index;
            Ok::<_, SessionError>(points_on_slice(
                state.meta.points.points(),
                axis,
                slice_index,
            ))
        })?;
        let response = SliceResponse {
            slice_data,
            axis: axis.number(),
            slice_index,
            max_slices: count,
            marked_points,
        };
        // Encoded here, off the runtime: a 512×512 slice is about a megabyte of JSON.
        serde_json::to_vec(&response).map_err(|err| ApiError::Internal(err.to_string()))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The points lying on slice `index` along `axis`, in slice coordinates.
pub fn points_on_slice(points: &[Point], axis: Axis, index: usize) -> Vec<MarkedPoint2d> {
    points
        .iter()
        .filter_map(|p| {
            let (s, pos) = slice_from_voxel(axis, p.voxel);
            (s == index).then(|| MarkedPoint2d {
                x: pos.col,
                y: pos.row,
                point_number: p.number,
                color: label_color(p.number),
            })
        })
        .collect()
}
