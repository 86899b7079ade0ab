//! Synthetic volumes with known ground truth, written as NIfTI-1.

use std::io::Write as _;

/// A ball of bright voxels.
#[derive(Clone, Copy, Debug)]
pub struct Ball {
    pub center: [f64; 3],
    pub radius: f64,
}

impl Ball {
    pub fn contains(&self, [i, j, k]: [usize; 3]) -> bool {
        let p = [i as f64, j as f64, k as f64];
        (0..3).map(|a| (p[a] - self.center[a]).powi(2)).sum::<f64>() <= self.radius * self.radius
    }

    /// The voxel at the ball's centre.
    pub fn center_voxel(&self) -> [usize; 3] {
        self.center.map(|c| c.round() as usize)
    }
}

/// An int16 volume of bright balls (about 1000) on a dark background (about 100), with noise,
/// and the ball each voxel belongs to (0 for none, else 1 + the ball's index).
pub struct Phantom {
    pub dims: [usize; 3],
    pub values: Vec<i16>,
    pub truth: Vec<u8>,
}

impl Phantom {
    pub fn balls(dims: [usize; 3], balls: &[Ball], seed: u64) -> Self {
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut noise = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % 81) as i16 - 40
        };
        let n = dims[0] * dims[1] * dims[2];
        let (mut values, mut truth) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    let owner = balls.iter().position(|b| b.contains([i, j, k]));
                    truth.push(owner.map_or(0, |o| o as u8 + 1));
                    values.push(if owner.is_some() { 1000 } else { 100 } + noise());
                }
            }
        }
        Self {
            dims,
            values,
            truth,
        }
    }

    pub fn offset(&self, [i, j, k]: [usize; 3]) -> usize {
        i + self.dims[0] * (j + self.dims[1] * k)
    }

    /// The phantom as a `.nii.gz` with the given voxel spacing and an origin offset.
    pub fn to_nii_gz(&self, spacing_mm: [f32; 3]) -> Vec<u8> {
        gzip(&nifti_i16(self.dims, &self.values, spacing_mm))
    }
}

/// A NIfTI-1 single file (little-endian int16) with sform and qform (both code 1): a diagonal
/// affine of `spacing_mm` and an origin at (-10, 20, -30) mm.
pub fn nifti_i16(dims: [usize; 3], values: &[i16], spacing_mm: [f32; 3]) -> Vec<u8> {
    let mut h = vec![0u8; 352];
    let put_i16 =
        |h: &mut Vec<u8>, at: usize, v: i16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put_f32 =
        |h: &mut Vec<u8>, at: usize, v: f32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    h[0..4].copy_from_slice(&348i32.to_le_bytes());
    let dim = [
        3,
        dims[0] as i16,
        dims[1] as i16,
        dims[2] as i16,
        1,
        1,
        1,
        1,
    ];
    for (n, d) in dim.iter().enumerate() {
        put_i16(&mut h, 40 + 2 * n, *d);
    }
    put_i16(&mut h, 70, 4); // datatype int16
    put_i16(&mut h, 72, 16); // bitpix
    let pixdim = [
        1.0,
        spacing_mm[0],
        spacing_mm[1],
        spacing_mm[2],
        1.0,
        0.0,
        0.0,
        0.0,
    ];
    for (n, p) in pixdim.iter().enumerate() {
        put_f32(&mut h, 76 + 4 * n, *p);
    }
    put_f32(&mut h, 108, 352.0); // vox_offset
    put_f32(&mut h, 112, 1.0); // scl_slope
    h[123] = 2; // xyzt_units: mm
    put_i16(&mut h, 252, 1); // qform_code
    put_i16(&mut h, 254, 1); // sform_code
    let origin = [-10.0f32, 20.0, -30.0];
    for (n, o) in origin.iter().enumerate() {
        put_f32(&mut h, 268 + 4 * n, *o); // qoffset
    }
    for row in 0..3 {
        let mut srow = [0f32; 4];
        srow[row] = spacing_mm[row];
        srow[3] = origin[row];
        for (n, v) in srow.iter().enumerate() {
            put_f32(&mut h, 280 + 16 * row + 4 * n, *v);
        }
    }
    h[344..348].copy_from_slice(b"n+1\0");
    h.reserve(values.len() * 2);
    for v in values {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).ok();
    encoder.finish().unwrap_or_default()
}

/// Inflates a gzip stream.
pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}
