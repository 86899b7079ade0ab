//! Writes the viewer's sample volume, `assets/sample/dental_phantom.nii.gz`: the dental
//! phantom (16 teeth in bone, noise) with anisotropic voxels. Deterministic; run it with:
//!
//!     cargo run -p interseg-tests --bin make-sample

use std::path::Path;

use interseg_tests::dental::DentalPhantom;

/// Millimetres per voxel: slices thicker than the in-plane pixels, as in most CT.
const SPACING_MM: [f32; 3] = [0.3, 0.3, 0.5];

fn main() -> anyhow::Result<()> {
    let phantom = DentalPhantom::new(16, 1.0, 7);
    let bytes = interseg_tests::phantom::gzip(&interseg_tests::phantom::nifti_i16(
        phantom.dims,
        &phantom.values,
        SPACING_MM,
    ));
    let target =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sample/dental_phantom.nii.gz");
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&target, &bytes)?;
    eprintln!("wrote {} ({} bytes)", target.display(), bytes.len());
    Ok(())
}
