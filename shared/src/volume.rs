//! A 3D volume kept at its stored voxel width, with its intensity scaling beside it.
//!
//! Voxels are in NIfTI (Fortran) order: i varies fastest, so voxel (i, j, k) sits at
//! `i + I * (j + J * k)`. Scaled intensities are `raw * slope + inter`, computed in f64 as
//! nibabel's `get_fdata()` does.

use crate::geometry::{Axis, VoxelIndex, slice_shape};

/// The voxels of a volume in their stored type.
#[derive(Clone, Debug, PartialEq)]
pub enum Voxels {
    U8(Vec<u8>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    U16(Vec<u16>),
    I32(Vec<i32>),
    U32(Vec<u32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Runs `$body` with `$v` bound to the typed voxel vector, whatever its type.
macro_rules! with_voxels {
    ($voxels:expr, $v:ident => $body:expr) => {
        match $voxels {
            Voxels::U8($v) => $body,
            Voxels::I8($v) => $body,
            Voxels::I16($v) => $body,
            Voxels::U16($v) => $body,
            Voxels::I32($v) => $body,
            Voxels::U32($v) => $body,
            Voxels::F32($v) => $body,
            Voxels::F64($v) => $body,
        }
    };
}

/// A stored voxel type, widened to f64 for scaling.
trait StoredVoxel: Copy {
    fn to_f64(self) -> f64;
}

macro_rules! stored_voxel_lossless {
    ($($t:ty),*) => {$(
        impl StoredVoxel for $t {
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
        }
    )*};
}
stored_voxel_lossless!(u8, i8, i16, u16, i32, u32, f32, f64);

impl Voxels {
    pub fn len(&self) -> usize {
        with_voxels!(self, v => v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn raw_f64(&self, offset: usize) -> Option<f64> {
        with_voxels!(self, v => v.get(offset).map(|x| x.to_f64()))
    }
}

/// `scaled = raw * slope + inter`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    pub slope: f64,
    pub inter: f64,
}

impl Scaling {
    pub const IDENTITY: Scaling = Scaling {
        slope: 1.0,
        inter: 0.0,
    };

    #[inline]
    pub fn apply(self, raw: f64) -> f64 {
        raw * self.slope + self.inter
    }
}

/// A volume: its dimensions, its voxels at their stored width, and their scaling.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    dims: [usize; 3],
    voxels: Voxels,
    scaling: Scaling,
}

/// A volume's parts do not fit together.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VolumeError {
    #[error("the volume's dimensions {dims:?} need {expected} voxels but {actual} were given")]
    LengthMismatch {
        dims: [usize; 3],
        expected: usize,
        actual: usize,
    },
    #[error("the volume's dimensions {0:?} overflow")]
    TooLarge([usize; 3]),
}

/// A 2D slice of scaled intensities, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f64>,
}

impl Volume {
    pub fn new(dims: [usize; 3], voxels: Voxels, scaling: Scaling) -> Result<Self, VolumeError> {
        let expected = voxel_count(dims).ok_or(VolumeError::TooLarge(dims))?;
        if voxels.len() != expected {
            return Err(VolumeError::LengthMismatch {
                dims,
                expected,
                actual: voxels.len(),
            });
        }
        Ok(Self {
            dims,
            voxels,
            scaling,
        })
    }

    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    pub fn voxels(&self) -> &Voxels {
        &self.voxels
    }

    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    pub fn voxel_count(&self) -> usize {
        self.voxels.len()
    }

    /// Bytes the voxels take in memory.
    pub fn stored_bytes(&self) -> usize {
        self.voxels.len() * self.voxels.voxel_type().width()
    }

    /// Offset of voxel (i, j, k) in the voxel vector, if it is inside the volume.
    #[inline]
    pub fn offset(&self, [i, j, k]: VoxelIndex) -> Option<usize> {
        let [ni, nj, nk] = self.dims;
        (i < ni && j < nj && k < nk).then(|| i + ni * (j + nj * k))
    }

    /// The scaled intensity at (i, j, k).
    #[inline]
    pub fn value(&self, index: VoxelIndex) -> Option<f64> {
        let offset = self.offset(index)?;
        self.voxels
            .raw_f64(offset)
            .map(|raw| self.scaling.apply(raw))
    }

    /// The scaled intensity at an offset into the voxel vector (see [`Volume::offset`]).
    #[inline]
    pub fn value_at_offset(&self, offset: usize) -> Option<f64> {
        self.voxels
            .raw_f64(offset)
            .map(|raw| self.scaling.apply(raw))
    }

    /// The scaled intensities at several offsets, with one dispatch on the voxel type for all
    /// of them (a voxel's neighbourhood in a hot loop); `None` if any lies outside.
    #[inline]
    pub fn values_at_offsets<const N: usize>(&self, offsets: [usize; N]) -> Option<[f64; N]> {
        let scaling = self.scaling;
        with_voxels!(&self.voxels, v => {
            let mut out = [0.0; N];
            for (slot, o) in out.iter_mut().zip(offsets) {
                *slot = scaling.apply(v.get(o)?.to_f64());
            }
            Some(out)
        })
    }

    /// `[min, max]` of the finite scaled intensities, ignoring NaN and infinities (`[0, 0]` if
    /// nothing is finite). Always finite, so it survives JSON (which has no infinity).
    pub fn data_range(&self) -> [f64; 2] {
        let (lo, hi) = with_voxels!(&self.voxels, v => raw_min_max(v));
        if lo > hi {
            return [0.0, 0.0];
        }
        let (a, b) = (self.scaling.apply(lo), self.scaling.apply(hi));
        // A negative slope turns the raw extremes around; a huge slope can overflow.
        let (lo, hi) = (a.min(b), a.max(b));
        if lo.is_finite() && hi.is_finite() {
            [lo, hi]
        } else {
            [0.0, 0.0]
        }
    }

    /// The slice along `axis` at `index` (`np.take(vol, index, axis)`), scaled; `None` if
    /// `index` is out of range.
    pub fn slice(&self, axis: Axis, index: usize) -> Option<Slice> {
        if index >= self.dims[axis.number()] {
            return None;
        }
        let (rows, cols) = slice_shape(axis, self.dims);
        let [ni, nj, _] = self.dims;
        // Strides of i, j, k in the voxel vector.
        let strides = [1, ni, ni * nj];
        let (row_axis, col_axis) = axis.in_plane();
        let base = index * strides[axis.number()];
        let (row_stride, col_stride) = (strides[row_axis], strides[col_axis]);
        let scaling = self.scaling;
        let values = with_voxels!(&self.voxels, v => {
            let mut out = Vec::with_capacity(rows * cols);
            for r in 0..rows {
                let row_base = base + r * row_stride;
                out.extend((0..cols).map(|c| {
                    v.get(row_base + c * col_stride)
                        .map_or(f64::NAN, |x| scaling.apply(x.to_f64()))
                }));
            }
            out
        });
        Some(Slice { rows, cols, values })
    }

    /// Scaled intensities as f32 over the box `[lo, hi)` (clamped to the volume), i fastest.
    /// Engines work on such a box rather than on the whole volume.
    pub fn region_f32(&self, lo: VoxelIndex, hi: VoxelIndex) -> (VoxelIndex, VoxelIndex, Vec<f32>) {
        let lo = [0, 1, 2].map(|a| lo[a].min(self.dims[a]));
        let hi = [0, 1, 2].map(|a| hi[a].clamp(lo[a], self.dims[a]));
        let [ni, nj, _] = self.dims;
        let size = [0, 1, 2].map(|a| hi[a] - lo[a]);
        let scaling = self.scaling;
        #[expect(clippy::cast_possible_truncation, reason = "engines work in f32")]
        let values = with_voxels!(&self.voxels, v => {
            let mut out = Vec::with_capacity(size[0] * size[1] * size[2]);
            for k in lo[2]..hi[2] {
                for j in lo[1]..hi[1] {
                    let start = lo[0] + ni * (j + nj * k);
                    let row = v.get(start..start + size[0]).unwrap_or(&[]);
                    out.extend(row.iter().map(|x| scaling.apply(x.to_f64()) as f32));
                }
            }
            out
        });
        (lo, hi, values)
    }
}

/// Number of voxels of `dims`, or `None` on overflow.
pub fn voxel_count(dims: [usize; 3]) -> Option<usize> {
    dims[0].checked_mul(dims[1])?.checked_mul(dims[2])
}

fn raw_min_max<T: StoredVoxel>(values: &[T]) -> (f64, f64) {
    values
        .iter()
        .map(|x| x.to_f64())
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        })
}

/// A slice mapped to 0..=255 for display as the original did:
/// `floor((v - min) / (max - min) * 255)` per slice; a constant slice is all zeros.
/// Rows of the answer follow the slice's rows.
pub fn normalize_slice(slice: &Slice) -> Vec<Vec<u8>> {
    let (lo, hi) = slice
        .values
        .iter()
        // Infinite voxels would leave no span: they clamp to 0 or 255 below instead.
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let span = hi - lo;
    let has_span = span > 0.0 && span.is_finite();
    slice
        .values
        .chunks(slice.cols.max(1))
        .take(slice.rows)
        .map(|row| {
            row.iter()
                .map(|&v| {
                    if !has_span || v.is_nan() {
                        return 0;
                    }
                    #[expect(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "clamped to 0..=255 first"
                    )]
                    let byte = ((v - lo) / span * 255.0).floor().clamp(0.0, 255.0) as u8;
                    byte
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(dims: [usize; 3]) -> Volume {
        let n = voxel_count(dims).unwrap();
        let v: Vec<i16> = (0..n).map(|x| i16::try_from(x).unwrap()).collect();
        Volume::new(dims, Voxels::I16(v), Scaling::IDENTITY).unwrap()
    }

    #[test]
    fn values_at_several_offsets_are_each_offsets_scaled_value() {
        let scaling = Scaling {
            slope: 0.5,
            inter: -3.0,
        };
        let vol = Volume::new([3, 2, 2], Voxels::U16((0..12).collect()), scaling).unwrap();
        let offsets = [0, 5, 11, 7];
        let expected = offsets.map(|o| vol.value_at_offset(o).unwrap());
        assert_eq!(vol.values_at_offsets(offsets), Some(expected));
        assert_eq!(expected, [-3.0, -0.5, 2.5, 0.5]);
        assert_eq!(vol.values_at_offsets([1, 12]), None);
    }

    #[test]
    fn rejects_wrong_length() {
        let err = Volume::new([2, 2, 2], Voxels::U8(vec![0; 7]), Scaling::IDENTITY).unwrap_err();
        assert!(matches!(
            err,
            VolumeError::LengthMismatch { expected: 8, .. }
        ));
    }

    #[test]
    fn value_uses_fortran_order_and_scaling() {
        let dims = [3, 4, 5];
        let n = 60;
        let v: Vec<u8> = (0..n).map(|x| u8::try_from(x).unwrap()).collect();
        let vol = Volume::new(
            dims,
            Voxels::U8(v),
            Scaling {
                slope: 2.0,
                inter: -1.0,
            },
        )
        .unwrap();
        // (1, 2, 3) → 1 + 3 * (2 + 4 * 3) = 43
        assert_eq!(vol.value([1, 2, 3]), Some(85.0));
        assert_eq!(vol.value([3, 0, 0]), None);
    }

    #[test]
    fn slices_follow_np_take() {
        let vol = ramp([3, 4, 5]);
        // axis 2, index 1: rows along i, cols along j.
        let s = vol.slice(Axis::K, 1).unwrap();
        assert_eq!((s.rows, s.cols), (3, 4));
        for r in 0..3 {
            for c in 0..4 {
                assert_eq!(s.values[r * 4 + c], vol.value([r, c, 1]).unwrap());
            }
        }
        // axis 0, index 2: rows along j, cols along k.
        let s = vol.slice(Axis::I, 2).unwrap();
        assert_eq!((s.rows, s.cols), (4, 5));
        assert_eq!(s.values[3 * 5 + 4], vol.value([2, 3, 4]).unwrap());
        assert!(vol.slice(Axis::J, 4).is_none());
    }

    #[test]
    fn data_range_handles_negative_slope_and_nan() {
        let vol = Volume::new(
            [2, 1, 1],
            Voxels::F32(vec![1.0, 3.0]),
            Scaling {
                slope: -2.0,
                inter: 0.0,
            },
        )
        .unwrap();
        assert_eq!(vol.data_range(), [-6.0, -2.0]);
        let vol = Volume::new(
            [2, 1, 1],
            Voxels::F32(vec![f32::NAN, 3.0]),
            Scaling::IDENTITY,
        )
        .unwrap();
        assert_eq!(vol.data_range(), [3.0, 3.0]);
        let vol = Volume::new(
            [3, 1, 1],
            Voxels::F32(vec![f32::INFINITY, 1.0, f32::NEG_INFINITY]),
            Scaling::IDENTITY,
        )
        .unwrap();
        assert_eq!(vol.data_range(), [1.0, 1.0]);
    }

    #[test]
    fn normalisation_floors_and_zeroes_constant_slices() {
        let s = Slice {
            rows: 1,
            cols: 3,
            values: vec![0.0, 1.0, 3.0],
        };
        assert_eq!(normalize_slice(&s), vec![vec![0, 85, 255]]);
        let flat = Slice {
            rows: 2,
            cols: 1,
            values: vec![7.0, 7.0],
        };
        assert_eq!(normalize_slice(&flat), vec![vec![0], vec![0]]);
    }

    #[test]
    fn region_is_clamped() {
        let vol = ramp([3, 4, 5]);
        let (lo, hi, vals) = vol.region_f32([1, 1, 1], [10, 3, 2]);
        assert_eq!((lo, hi), ([1, 1, 1], [3, 3, 2]));
        assert_eq!(vals.len(), 2 * 2);
        assert_eq!(f64::from(vals[0]), vol.value([1, 1, 1]).unwrap());
    }
}
