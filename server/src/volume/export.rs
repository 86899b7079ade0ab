//! The downloadable results: the label volume as NIfTI in the input's space, and the
//! ITK-SNAP label description file.

use std::fmt::Write as _;
use std::path::Path;

use interseg_shared::color::label_color;
use interseg_shared::naming::{LabelNaming, label_name};
use ndarray::{ArrayView3, ShapeBuilder};
use nifti::NiftiHeader;
use nifti::writer::WriterOptions;

/// Writing a result failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the labels do not fit the volume's dimensions {0:?}")]
    Shape([usize; 3]),
    #[error("could not write the label volume: {0}")]
    Nifti(#[from] nifti::NiftiError),
}

/// Writes `labels` (i fastest, as the input's voxels) as a u8 NIfTI at `path` (gzipped when
/// it ends in `.gz`), with the input header's dimensions, pixdim, sform and qform and their
/// codes, so that it overlays the input exactly.
pub fn write_label_nifti(
    path: &Path,
    source: &NiftiHeader,
    dims: [usize; 3],
    labels: &[u8],
) -> Result<(), ExportError> {
    let view = ArrayView3::from_shape((dims[0], dims[1], dims[2]).f(), labels)
        .map_err(|_err| ExportError::Shape(dims))?;
    let mut header = source.clone();
    // Display and intent fields describe the input's intensities, not labels.
    header.cal_min = 0.0;
    header.cal_max = 0.0;
    header.intent_code = 0;
    header.intent_name = [0; 16];
    header.glmin = 0;
    header.glmax = 0;
    WriterOptions::new(path)
        .reference_header(&header)
        .write_nifti(&view)?;
    Ok(())
}

/// The ITK-SNAP label description file for the labels present (0 excluded), named as
/// `naming` names them.
pub fn label_description(labels_present: &[u8], naming: LabelNaming) -> String {
    let mut text = String::from(
        "################################################\n\
         # ITK-SnAP Label Description File\n\
         # File format: \n\
         # IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL\n\
         # Fields: \n\
         #    IDX:   Zero-based index \n\
         #    -R-:   Red color component (0..255)\n\
         #    -G-:   Green color component (0..255)\n\
         #    -B-:   Blue color component (0..255)\n\
         #    -A-:   Label transparency (0.00 .. 1.00)\n\
         #    VIS:   Label visibility (0 or 1)\n\
         #    MSH:   Label mesh visibility (0 or 1)\n\
         #  LABEL:   Label description \n\
         ################################################\n\
         0 0 0 0 0 0 0 \"Clear Label\"\n",
    );
    for &label in labels_present.iter().filter(|&&l| l != 0) {
        let color = label_color(u16::from(label));
        // Writing to a String cannot fail.
        writeln!(
            text,
            "{label} {} {} {} 1 1 1 \"{}\"",
            color.r,
            color.g,
            color.b,
            label_name(label, naming)
        )
        .ok();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_file_follows_itk_snap_format() {
        let text = label_description(&[0, 1, 33], LabelNaming::Numbers);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "# ITK-SnAP Label Description File");
        assert!(lines.contains(&"# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL"));
        let body: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert_eq!(
            body,
            [
                "0 0 0 0 0 0 0 \"Clear Label\"",
                "1 255 0 0 1 1 1 \"#1\"",
                "33 222 184 135 1 1 1 \"Bridge\""
            ]
        );
    }
}
