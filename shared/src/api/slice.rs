//! Slice bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::color::Rgb;

/// A point shown on a slice: `x` is its column, `y` its row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MarkedPoint2d {
    pub x: usize,
    pub y: usize,
    pub point_number: u16,
    pub color: Rgb,
}

/// Answer of `GET /api/slice/{axis}/{slice_index}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SliceResponse {
    /// Rows of 8-bit display values.
    pub slice_data: Vec<Vec<u8>>,
    pub axis: usize,
    pub slice_index: usize,
    /// The number of slices along this axis.
    pub max_slices: usize,
    pub marked_points: Vec<MarkedPoint2d>,
}
