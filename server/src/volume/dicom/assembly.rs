//! Assembling slices into one volume: the voxel limit, each slice's samples in the stored type
//! (or rescaled to f32 when slices disagree), and the finished volume with its header.

use interseg_shared::volume::{Scaling, Volume, Voxels};

use super::super::loaded::{LoadError, LoadLimits, LoadedVolume};
use super::ImageInfo;
use super::geometry::nifti_header;

pub(super) fn check_limit(dims: [usize; 3], limits: LoadLimits) -> Result<(), LoadError> {
    let voxels = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .unwrap_or(u64::MAX);
    if voxels > limits.max_voxels {
        return Err(LoadError::TooManyVoxels {
            voxels,
            max: limits.max_voxels,
        });
    }
    Ok(())
}

/// Collects the slices' pixels into one vector of the stored type; with slices of different
/// rescale values, into f32 with each slice's rescale applied.
pub(super) struct VoxelAssembler {
    bits: u16,
    signed: bool,
    per_slice_scaling: Option<Vec<(f64, f64)>>,
    slice_voxels: usize,
    out: Voxels,
    slice: usize,
}

impl VoxelAssembler {
    pub(super) fn new(first: &ImageInfo, dims: [usize; 3], infos: &[ImageInfo]) -> Self {
        let uniform = infos
            .iter()
            .all(|i| (i.slope, i.intercept) == (first.slope, first.intercept));
        let n = dims[0] * dims[1] * dims[2];
        let out = if !uniform {
            Voxels::F32(Vec::with_capacity(n))
        } else {
            match (first.bits_allocated, first.signed) {
                (8, false) => Voxels::U8(Vec::with_capacity(n)),
                (8, true) => Voxels::I8(Vec::with_capacity(n)),
                (16, false) => Voxels::U16(Vec::with_capacity(n)),
                (16, true) => Voxels::I16(Vec::with_capacity(n)),
                (_, false) => Voxels::U32(Vec::with_capacity(n)),
                (_, true) => Voxels::I32(Vec::with_capacity(n)),
            }
        };
        Self {
            bits: first.bits_allocated,
            signed: first.signed,
            per_slice_scaling: (!uniform)
                .then(|| infos.iter().map(|i| (i.slope, i.intercept)).collect()),
            slice_voxels: dims[0] * dims[1],
            out,
            slice: 0,
        }
    }

    /// Appends `frames` slices of little-endian pixel data.
    pub(super) fn push(&mut self, bytes: &[u8], frames: usize) -> Result<(), LoadError> {
        let width = usize::from(self.bits / 8);
        let need = self.slice_voxels * frames * width;
        let Some(bytes) = bytes.get(..need) else {
            return Err(LoadError::Truncated {
                expected: need as u64,
                actual: bytes.len() as u64,
            });
        };
        let raw = bytes
            .chunks_exact(width)
            .map(|b| match (width, self.signed) {
                (1, false) => f64::from(b[0]),
                (1, true) => f64::from(b[0] as i8),
                (2, false) => f64::from(u16::from_le_bytes([b[0], b[1]])),
                (2, true) => f64::from(i16::from_le_bytes([b[0], b[1]])),
                (_, false) => f64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                (_, true) => f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            });
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "values come from the stored type"
        )]
        match &mut self.out {
            Voxels::U8(v) => v.extend(raw.map(|x| x as u8)),
            Voxels::I8(v) => v.extend(raw.map(|x| x as i8)),
            Voxels::U16(v) => v.extend(raw.map(|x| x as u16)),
            Voxels::I16(v) => v.extend(raw.map(|x| x as i16)),
            Voxels::U32(v) => v.extend(raw.map(|x| x as u32)),
            Voxels::I32(v) => v.extend(raw.map(|x| x as i32)),
            Voxels::F32(v) => {
                let (slope, inter) = self
                    .per_slice_scaling
                    .as_ref()
                    .and_then(|s| s.get(self.slice))
                    .copied()
                    .unwrap_or((1.0, 0.0));
                v.extend(raw.map(|x| (x * slope + inter) as f32));
            }
            Voxels::F64(v) => v.extend(raw),
        }
        self.slice += frames;
        Ok(())
    }

    pub(super) fn finish(self) -> Result<(Voxels, bool), LoadError> {
        Ok((self.out, self.per_slice_scaling.is_none()))
    }
}

/// Builds the volume and its NIfTI header (sform and qform, scanner space, RAS).
pub(super) fn finish(
    (voxels, uniform): (Voxels, bool),
    first: &ImageInfo,
    dims: [usize; 3],
    slice_spacing: f64,
    first_position: Option<[f64; 3]>,
    last_position: Option<[f64; 3]>,
) -> Result<LoadedVolume, LoadError> {
    let scaling = if uniform {
        Scaling {
            slope: first.slope,
            inter: first.intercept,
        }
    } else {
        Scaling::IDENTITY
    };
    let volume =
        Volume::new(dims, voxels, scaling).map_err(|err| LoadError::Dicom(err.to_string()))?;
    let header = nifti_header(first, dims, slice_spacing, first_position, last_position);
    let data_range = volume.data_range();
    Ok(LoadedVolume {
        volume,
        header,
        data_range,
    })
}
