//! Point bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::slice::MarkedPoint2d;
use crate::color::Rgb;

/// A position on a slice: `x` the column, `y` the row.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Point2d {
    pub x: i64,
    pub y: i64,
}

/// Body of `POST /api/mark_point`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MarkPointRequest {
    pub axis: i64,
    pub slice_index: i64,
    pub point: Point2d,
    /// Moves (or creates) the point with this number instead of numbering a new one.
    #[serde(default)]
    pub point_number: Option<i64>,
}

/// Answer of `POST /api/mark_point`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MarkPointResponse {
    pub message: String,
    pub point_number: u16,
    pub total_points: usize,
    pub session_id: String,
}

/// A 3D point in the original's names: `z` = i, `y` = j, `x` = k.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Point3d {
    pub z: usize,
    pub y: usize,
    pub x: usize,
}

/// One point of `GET /api/points`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PointEntry {
    pub point_number: u16,
    pub coordinates: Point3d,
    pub color: Rgb,
}

/// Answer of `GET /api/points`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PointsResponse {
    /// In the order they were marked.
    pub points: Vec<PointEntry>,
    /// Points keyed by the view they were marked on, `"<axis>_<slice>"`.
    pub points_2d: BTreeMap<String, Vec<MarkedPoint2d>>,
    pub points_3d: Vec<Point3d>,
    pub total_points: usize,
    pub session_id: String,
}

/// Answer of `DELETE /api/remove_point/{point_number}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RemovePointResponse {
    pub message: String,
    pub total_points: usize,
    pub session_id: String,
}
