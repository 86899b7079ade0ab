//! The volume as the viewer holds it: its description from the server and its voxels at their
//! stored width with the scaling kept aside (the shared crate's `Volume`, as on the server), for
//! the status line; the GPU gets them as physical values, converted a slab at a time.

use interseg_shared::api::volume::VolumeInfo;
use interseg_shared::volume::{Scaling, Volume, Voxels};

use crate::orientation::Orientation;

/// A volume the viewer can show.
#[derive(Debug)]
pub struct VolumeData {
    pub info: VolumeInfo,
    pub orientation: Orientation,
    volume: Volume,
    /// The 0.5th and 99.5th percentiles: the automatic window.
    pub robust_range: [f32; 2],
}

/// The voxels do not match their description.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("the server sent {got} bytes of voxels, {want} expected")]
    Length { got: usize, want: usize },
    #[error("impossible shape {0:?}")]
    Shape([usize; 3]),
}

impl VolumeData {
    /// Decodes raw little-endian voxels of `info.dtype`.
    pub fn decode(info: VolumeInfo, raw: &[u8]) -> Result<Self, DecodeError> {
        let count = info
            .shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or(DecodeError::Shape(info.shape))?;
        let want = count
            .checked_mul(info.dtype.width())
            .ok_or(DecodeError::Shape(info.shape))?;
        if raw.len() != want {
            return Err(DecodeError::Length {
                got: raw.len(),
                want,
            });
        }
        let voxels = Voxels::from_le_bytes(info.dtype, raw).map_err(|_| DecodeError::Length {
            got: raw.len(),
            want,
        })?;
        let scaling = Scaling {
            slope: info.scl_slope,
            inter: info.scl_inter,
        };
        let volume =
            Volume::new(info.shape, voxels, scaling).map_err(|_| DecodeError::Shape(info.shape))?;
        let robust_range = percentiles(&volume, 0.005, 0.995);
        let orientation = Orientation::from_affine(&info.affine);
        Ok(Self {
            info,
            orientation,
            volume,
            robust_range,
        })
    }

    pub fn dims(&self) -> [usize; 3] {
        self.info.shape
    }

    /// Millimetres per voxel along i, j, k.
    pub fn spacing(&self) -> [f32; 3] {
        self.info.spacing_mm.map(|s| s as f32)
    }

    pub fn offset(&self, voxel: [usize; 3]) -> Option<usize> {
        self.volume.offset(voxel)
    }

    /// The physical value of a voxel.
    pub fn value(&self, voxel: [usize; 3]) -> Option<f32> {
        self.volume.value(voxel).map(|v| v as f32)
    }

    /// Physical values of the slices `k0..k1`, i fastest (for the GPU).
    pub fn slab_f32(&self, k0: usize, k1: usize) -> Vec<f32> {
        let [ni, nj, _] = self.dims();
        self.volume.region_f32([0, 0, k0], [ni, nj, k1]).2
    }

    /// A uint8 volume of zeros with a diagonal (RAS) affine of `spacing_mm`.
    #[cfg(test)]
    pub(crate) fn zeros_for_tests(shape: [usize; 3], spacing_mm: [f64; 3]) -> Self {
        let [x, y, z] = spacing_mm;
        let info = VolumeInfo {
            shape,
            dtype: interseg_shared::voxel_type::VoxelType::U8,
            scl_slope: 1.0,
            scl_inter: 0.0,
            data_range: [0.0, 0.0],
            spacing_mm,
            affine: [
                [x, 0.0, 0.0, 0.0],
                [0.0, y, 0.0, 0.0],
                [0.0, 0.0, z, 0.0],
                [0.0, 0.0, 0.0, 1.0],
            ],
        };
        let zeros = vec![0; shape.iter().product()];
        match Self::decode(info, &zeros) {
            Ok(volume) => volume,
            Err(err) => panic!("a test volume: {err}"),
        }
    }

    /// The world position (scanner mm) of a voxel's centre.
    pub fn world_from_voxel(&self, voxel: [usize; 3]) -> [f64; 3] {
        let a = &self.info.affine;
        let v = voxel.map(|x| x as f64);
        [0, 1, 2].map(|r| a[r][0] * v[0] + a[r][1] * v[1] + a[r][2] * v[2] + a[r][3])
    }
}

/// Two percentiles of the finite values, from a sample of at most ~1M voxels (enough for a
/// window, and quick on a 500 MB CT).
fn percentiles(volume: &Volume, low: f64, high: f64) -> [f32; 2] {
    let count = volume.voxel_count();
    let step = (count / 1_000_000).max(1);
    let mut sample: Vec<f64> = (0..count)
        .step_by(step)
        .filter_map(|o| volume.value_at_offset(o))
        .filter(|v| v.is_finite())
        .collect();
    if sample.is_empty() {
        return [0.0, 1.0];
    }
    sample.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| sample[((sample.len() - 1) as f64 * q).round() as usize] as f32;
    let (lo, hi) = (at(low), at(high));
    if hi > lo { [lo, hi] } else { [lo, lo + 1.0] }
}

#[cfg(test)]
mod tests {
    use interseg_shared::voxel_type::VoxelType;

    use super::*;

    fn info(dtype: VoxelType, shape: [usize; 3], slope: f64, inter: f64) -> VolumeInfo {
        VolumeInfo {
            shape,
            dtype,
            scl_slope: slope,
            scl_inter: inter,
            data_range: [0.0, 1.0],
            spacing_mm: [1.0, 1.0, 2.5],
            affine: [
                [1.0, 0.0, 0.0, 10.0],
                [0.0, 1.0, 0.0, 20.0],
                [0.0, 0.0, 2.5, 30.0],
                [0.0, 0.0, 0.0, 1.0],
            ],
        }
    }

    #[test]
    fn decodes_stored_types_with_scaling() {
        let raw: Vec<u8> = [-1000i16, 0, 5, 3000]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let volume = VolumeData::decode(info(VoxelType::I16, [2, 2, 1], 2.0, -1.0), &raw).unwrap();
        assert_eq!(volume.slab_f32(0, 1), vec![-2001.0, -1.0, 9.0, 5999.0]);
        assert_eq!(volume.value([1, 1, 0]), Some(5999.0));
        assert_eq!(volume.value([2, 0, 0]), None);
        assert_eq!(volume.world_from_voxel([1, 0, 2]), [11.0, 20.0, 35.0]);
    }

    #[test]
    fn refuses_a_wrong_length() {
        let err =
            VolumeData::decode(info(VoxelType::F32, [2, 2, 1], 1.0, 0.0), &[0; 15]).unwrap_err();
        assert!(err.to_string().contains("16 expected"), "{err}");
    }
}
