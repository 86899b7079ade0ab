//! Where voxels lie in the scanner's space, from a NIfTI header.

use nifti::NiftiHeader;

/// The header's voxel-to-world transform as nibabel chooses it: sform, else qform, else the
/// spacing alone. The qform is only derived from a header that can give one without the
/// `nifti` crate's panicking paths (negative spacing, invalid qfac).
pub fn world_from_voxel(header: &NiftiHeader) -> [[f64; 4]; 4] {
    let matrix = if header.sform_code > 0 {
        Some(header.sform_affine::<f64>())
    } else if header.qform_code > 0
        && header.pixdim[1..4].iter().all(|p| *p >= 0.0)
        && (header.pixdim[0] == 1.0 || header.pixdim[0] == -1.0)
    {
        Some(header.qform_affine::<f64>())
    } else {
        None
    };
    let mut out = [[0.0; 4]; 4];
    match matrix {
        Some(m) => {
            for (r, row) in out.iter_mut().enumerate() {
                for (c, cell) in row.iter_mut().enumerate() {
                    *cell = m[(r, c)];
                }
            }
        }
        None => {
            for (a, row) in out.iter_mut().enumerate().take(3) {
                row[a] = f64::from(header.pixdim[a + 1].abs()).max(f64::MIN_POSITIVE);
            }
            out[3][3] = 1.0;
        }
    }
    out
}
