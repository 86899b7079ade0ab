//! Axes, voxel indices and the mapping between a slice's 2D points and the volume's 3D indices.
//!
//! Index order is always (i, j, k) as in the NIfTI file. The original API's `{z, y, x}` names
//! stand for (i, j, k) in that order and appear only at the API's edge.

use serde::{Deserialize, Serialize};

/// One of the three array axes of a volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Axis {
    /// Index i fixed.
    I = 0,
    /// Index j fixed.
    J = 1,
    /// Index k fixed.
    K = 2,
}

impl Axis {
    pub const ALL: [Axis; 3] = [Axis::I, Axis::J, Axis::K];

    /// The axis with this number (0, 1 or 2).
    pub fn from_number(n: i64) -> Option<Axis> {
        match n {
            0 => Some(Axis::I),
            1 => Some(Axis::J),
            2 => Some(Axis::K),
            _ => None,
        }
    }

    pub fn number(self) -> usize {
        self as usize
    }

    /// The two remaining axes (rows, columns) of a slice along this axis, lower first.
    pub fn in_plane(self) -> (usize, usize) {
        match self {
            Axis::I => (1, 2),
            Axis::J => (0, 2),
            Axis::K => (0, 1),
        }
    }
}

/// A voxel's (i, j, k) index.
pub type VoxelIndex = [usize; 3];

/// A position in a slice: `row` along the lower remaining axis, `col` along the higher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlicePosition {
    pub row: usize,
    pub col: usize,
}

/// The voxel that a click at `pos` on slice `slice_index` along `axis` lands on.
pub fn voxel_from_slice(axis: Axis, slice_index: usize, pos: SlicePosition) -> VoxelIndex {
    let mut voxel = [0; 3];
    let (row_axis, col_axis) = axis.in_plane();
    voxel[axis.number()] = slice_index;
    voxel[row_axis] = pos.row;
    voxel[col_axis] = pos.col;
    voxel
}

/// Where a voxel appears on a slice along `axis`: its slice index and its position there.
pub fn slice_from_voxel(axis: Axis, voxel: VoxelIndex) -> (usize, SlicePosition) {
    let (row_axis, col_axis) = axis.in_plane();
    (
        voxel[axis.number()],
        SlicePosition {
            row: voxel[row_axis],
            col: voxel[col_axis],
        },
    )
}

/// The (rows, cols) of a slice along `axis` through a volume of `dims`.
pub fn slice_shape(axis: Axis, dims: [usize; 3]) -> (usize, usize) {
    let (row_axis, col_axis) = axis.in_plane();
    (dims[row_axis], dims[col_axis])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn click_mapping_follows_the_api_contract() {
        let pos = SlicePosition { row: 4, col: 9 };
        // axis 0 → z=s, y=row, x=col
        assert_eq!(voxel_from_slice(Axis::I, 2, pos), [2, 4, 9]);
        // axis 1 → z=row, y=s, x=col
        assert_eq!(voxel_from_slice(Axis::J, 2, pos), [4, 2, 9]);
        // axis 2 → z=row, y=col, x=s
        assert_eq!(voxel_from_slice(Axis::K, 2, pos), [4, 9, 2]);
    }

    #[test]
    fn slice_from_voxel_inverts_voxel_from_slice() {
        for axis in Axis::ALL {
            let voxel = [3, 5, 7];
            let (s, pos) = slice_from_voxel(axis, voxel);
            assert_eq!(voxel_from_slice(axis, s, pos), voxel);
        }
    }
}
