//! Series geometry: slices sorted along their normal, their spacing, and the NIfTI header
//! (LPS turned into RAS) that places the volume where the series lies.

use nalgebra::Matrix4;
use nifti::{NiftiHeader, XForm};

use super::ImageInfo;

/// Orders slices along the normal of their orientation, or by instance number without one.
pub(super) fn sort_slices(slices: &mut [(usize, ImageInfo)]) {
    let normal = slices
        .first()
        .and_then(|(_, i)| i.orientation)
        .map(slice_normal);
    let key = |info: &ImageInfo| match (normal, info.position) {
        (Some(n), Some(p)) => p[0] * n[0] + p[1] * n[1] + p[2] * n[2],
        _ => info.instance as f64,
    };
    slices.sort_by(|a, b| {
        key(&a.1)
            .total_cmp(&key(&b.1))
            .then(a.1.instance.cmp(&b.1.instance))
    });
}

/// The two direction cosines, normalised, if they are finite, non-zero and far from parallel;
/// anything else would give a singular affine.
pub(super) fn orthonormal_orientation(o: [f64; 6]) -> Option<[f64; 6]> {
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let (a, b) = (norm(&o[..3]), norm(&o[3..]));
    if !(a.is_finite() && b.is_finite() && a > 1e-6 && b > 1e-6) {
        return None;
    }
    let unit = [o[0] / a, o[1] / a, o[2] / a, o[3] / b, o[4] / b, o[5] / b];
    (norm(&slice_normal(unit)) > 0.5).then_some(unit)
}

pub(super) fn slice_normal(o: [f64; 6]) -> [f64; 3] {
    [
        o[1] * o[5] - o[2] * o[4],
        o[2] * o[3] - o[0] * o[5],
        o[0] * o[4] - o[1] * o[3],
    ]
}

pub(super) fn has_duplicate_positions(slices: &[(usize, ImageInfo)]) -> bool {
    slices
        .windows(2)
        .any(|pair| match (pair[0].1.position, pair[1].1.position) {
            (Some(a), Some(b)) => (0..3).map(|n| (a[n] - b[n]).abs()).sum::<f64>() < 1e-6,
            _ => false,
        })
}

/// The distance between consecutive slices: from their positions when known.
pub(super) fn slice_spacing(infos: &[ImageInfo]) -> f64 {
    let (Some(first), Some(last)) = (infos.first(), infos.last()) else {
        return 1.0;
    };
    if let (Some(a), Some(b)) = (first.position, last.position)
        && infos.len() > 1
    {
        let d =
            ((0..3).map(|n| (b[n] - a[n]).powi(2)).sum::<f64>()).sqrt() / (infos.len() - 1) as f64;
        if d > 0.0 && d.is_finite() {
            return d;
        }
    }
    first.slice_spacing.unwrap_or(1.0)
}

/// The voxel-to-world affine in LPS, then flipped to RAS as NIfTI wants it.
pub(super) fn nifti_header(
    first: &ImageInfo,
    dims: [usize; 3],
    slice_spacing: f64,
    first_position: Option<[f64; 3]>,
    last_position: Option<[f64; 3]>,
) -> NiftiHeader {
    let o = first.orientation.unwrap_or([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    let (row_dir, col_dir) = ([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
    let [between_rows, between_cols] = first.pixel_spacing;
    let origin = first_position.unwrap_or([0.0; 3]);
    let slice_step = match (first_position, last_position) {
        (Some(a), Some(b)) if dims[2] > 1 => {
            [0, 1, 2].map(|n| (b[n] - a[n]) / (dims[2] - 1) as f64)
        }
        _ => slice_normal(o).map(|n| n * slice_spacing),
    };
    let mut affine = Matrix4::<f64>::identity();
    for r in 0..3 {
        // LPS → RAS flips the first two world axes.
        let flip = if r < 2 { -1.0 } else { 1.0 };
        affine[(r, 0)] = flip * row_dir[r] * between_cols;
        affine[(r, 1)] = flip * col_dir[r] * between_rows;
        affine[(r, 2)] = flip * slice_step[r];
        affine[(r, 3)] = flip * origin[r];
    }
    let mut header = NiftiHeader {
        dim: [3, 1, 1, 1, 1, 1, 1, 1],
        xyzt_units: 2, // mm
        ..NiftiHeader::default()
    };
    for (n, &d) in dims.iter().enumerate() {
        header.dim[n + 1] = u16::try_from(d).unwrap_or(u16::MAX);
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "NIfTI stores spacing as f32"
    )]
    {
        header.pixdim = [
            1.0,
            between_cols as f32,
            between_rows as f32,
            slice_spacing as f32,
            1.0,
            0.0,
            0.0,
            0.0,
        ];
    }
    header.set_sform(&affine, XForm::ScannerAnat);
    header.set_qform(&affine, XForm::ScannerAnat);
    header
}
