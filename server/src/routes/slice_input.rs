//! Checking what a client clicked or drew on a slice against the session's volume.

use interseg_shared::geometry::{Axis, SlicePosition, VoxelIndex, slice_shape, voxel_from_slice};

use crate::error::ApiError;
use crate::session::{ClickView, SessionMeta, SliceRect};

/// The volume's shape, the axis and the slice index, checked.
fn slice_of(
    meta: &SessionMeta,
    axis: i64,
    slice_index: i64,
) -> Result<([usize; 3], Axis, usize), ApiError> {
    let shape = meta.volume.as_ref().ok_or(ApiError::NoVolume)?.shape;
    let axis_checked = Axis::from_number(axis).ok_or(ApiError::InvalidAxis(axis))?;
    let count = shape[axis_checked.number()];
    let index = usize::try_from(slice_index)
        .ok()
        .filter(|&s| s < count)
        .ok_or(ApiError::SliceOutOfRange {
            axis: axis_checked.number(),
            index: slice_index,
            last: count.saturating_sub(1),
        })?;
    Ok((shape, axis_checked, index))
}

/// A click at column `x`, row `y`: where it was made and the voxel it lands on.
pub fn point_on_slice(
    meta: &SessionMeta,
    axis: i64,
    slice_index: i64,
    x: i64,
    y: i64,
) -> Result<(ClickView, VoxelIndex), ApiError> {
    let (shape, axis, slice_index) = slice_of(meta, axis, slice_index)?;
    let (rows, cols) = slice_shape(axis, shape);
    let in_range = |v: i64, n: usize| usize::try_from(v).ok().filter(|&v| v < n);
    let (Some(col), Some(row)) = (in_range(x, cols), in_range(y, rows)) else {
        return Err(ApiError::PointOutOfRange { x, y, cols, rows });
    };
    let view = ClickView {
        axis: axis.number(),
        slice_index,
        x: col,
        y: row,
    };
    Ok((
        view,
        voxel_from_slice(axis, slice_index, SlicePosition { row, col }),
    ))
}

/// A rectangle between two corners: its normalised rectangle and its voxel corners.
pub fn rect_on_slice(
    meta: &SessionMeta,
    axis: i64,
    slice_index: i64,
    corners: [(i64, i64); 2],
) -> Result<(SliceRect, VoxelIndex, VoxelIndex), ApiError> {
    let (a, voxel_a) = point_on_slice(meta, axis, slice_index, corners[0].0, corners[0].1)?;
    let (b, voxel_b) = point_on_slice(meta, axis, slice_index, corners[1].0, corners[1].1)?;
    let rect = SliceRect {
        axis: a.axis,
        slice_index: a.slice_index,
        row_min: a.y.min(b.y),
        row_max: a.y.max(b.y),
        col_min: a.x.min(b.x),
        col_max: a.x.max(b.x),
    };
    let lo = [0, 1, 2].map(|n| voxel_a[n].min(voxel_b[n]));
    let hi = [0, 1, 2].map(|n| voxel_a[n].max(voxel_b[n]));
    Ok((rect, lo, hi))
}
