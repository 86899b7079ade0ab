//! Points: mark, list, remove one, clear all.

use std::collections::BTreeMap;

use axum::{Extension, Json};
use interseg_shared::api::points::{
    MarkPointRequest, MarkPointResponse, Point3d, PointEntry, PointsResponse, RemovePointResponse,
};
use interseg_shared::api::session::SessionMessage;
use interseg_shared::api::slice::MarkedPoint2d;
use interseg_shared::color::label_color;
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{AppJson, AppPath, SessionHeader};
use super::slice_input::point_on_slice;
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::session::Durability;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mark_point))
        .routes(routes!(list_points, clear_points))
        .routes(routes!(remove_point))
}

/// Marks a point clicked on a slice. Without `point_number` it gets the number after the last
/// one marked (skipping numbers in use), or the number of a point already on that voxel; with
/// `point_number`, that point moves here.
#[utoipa::path(post, path = "/api/mark_point", tag = "points", params(SessionHeader),
    request_body = MarkPointRequest,
    responses(
        (status = 200, body = MarkPointResponse),
        (status = 400, body = ApiErrorBody, description = "No volume, or axis, slice, point or number out of range"),
        (status = 422, body = ApiErrorBody, description = "A body of the wrong shape"),
    ))]
async fn mark_point(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppJson(request): AppJson<MarkPointRequest>,
) -> Result<Json<MarkPointResponse>, ApiError> {
    let session_id = session.id.to_string();
    let (number, voxel, total_points) = blocking(move || {
        session.update(Durability::Durable, |state| {
            let point = request.point;
            let (view, voxel) = point_on_slice(
                &state.meta,
                request.axis,
                request.slice_index,
                point.x,
                point.y,
            )?;
            let number = state.meta.points.mark(voxel, view, request.point_number)?;
            Ok((number, voxel, state.meta.points.len()))
        })
    })
    .await?;
    Ok(Json(MarkPointResponse {
        message: format!(
            "Point {number} marked at (z={}, y={}, x={})",
            voxel[0], voxel[1], voxel[2]
        ),
        point_number: number,
        total_points,
        session_id,
    }))
}

/// Every point: in marking order, by the view it was marked on, and as 3D indices.
#[utoipa::path(get, path = "/api/points", tag = "points", params(SessionHeader),
    responses((status = 200, body = PointsResponse)))]
async fn list_points(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Json<PointsResponse> {
    let meta = session.meta();
    let points = meta.points.points();
    let mut points_2d: BTreeMap<String, Vec<MarkedPoint2d>> = BTreeMap::new();
    for p in points {
        points_2d
            .entry(format!("{}_{}", p.view.axis, p.view.slice_index))
            .or_default()
            .push(MarkedPoint2d {
                x: p.view.x,
                y: p.view.y,
                point_number: p.number,
                color: label_color(p.number),
            });
    }
    let as_3d = |v: [usize; 3]| Point3d {
        z: v[0],
        y: v[1],
        x: v[2],
    };
    Json(PointsResponse {
        points: points
            .iter()
            .map(|p| PointEntry {
                point_number: p.number,
                coordinates: as_3d(p.voxel),
                color: label_color(p.number),
            })
            .collect(),
        points_2d,
        points_3d: points.iter().map(|p| as_3d(p.voxel)).collect(),
        total_points: points.len(),
        session_id: session.id.to_string(),
    })
}

/// Removes every point; numbering restarts at 1.
#[utoipa::path(delete, path = "/api/points", tag = "points", params(SessionHeader),
    responses((status = 200, body = SessionMessage)))]
async fn clear_points(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Result<Json<SessionMessage>, ApiError> {
    let session_id = session.id.to_string();
    blocking(move || {
        session.update(Durability::Durable, |state| {
            state.meta.points.clear();
            Ok::<_, ApiError>(())
        })
    })
    .await?;
    Ok(Json(SessionMessage {
        message: "All points cleared".to_owned(),
        session_id,
    }))
}

/// Removes one point.
#[utoipa::path(delete, path = "/api/remove_point/{point_number}", tag = "points",
    params(("point_number" = i64, Path, description = "The point's number"), SessionHeader),
    responses(
        (status = 200, body = RemovePointResponse),
        (status = 404, body = ApiErrorBody, description = "No such point"),
    ))]
async fn remove_point(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppPath(point_number): AppPath<i64>,
) -> Result<Json<RemovePointResponse>, ApiError> {
    let session_id = session.id.to_string();
    let total_points = blocking(move || {
        session.update(Durability::Durable, |state| {
            let removed = u16::try_from(point_number).is_ok_and(|n| state.meta.points.remove(n));
            if !removed {
                return Err(ApiError::NoSuchPoint(point_number));
            }
            Ok(state.meta.points.len())
        })
    })
    .await?;
    Ok(Json(RemovePointResponse {
        message: format!("Point {point_number} removed"),
        total_points,
        session_id,
    }))
}
