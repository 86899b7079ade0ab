//! One object's region from its clicks: their appearance, the band region they grow, cut at
//! necks. Used for a label's include clicks together, and for each exclude click alone (the
//! other object it marks).

use interseg_shared::geometry::VoxelIndex;

use super::band::grow_band;
use super::necks::cut_at_necks;
use super::region::Region;
use super::seed_model::SeedModel;
use crate::segmentation::engine::{EngineError, RunControl, Scan};

/// The most voxels one object's flood may take: about a large organ at 1 mm.
const MAX_VOXELS: usize = 6_000_000;

/// What a set of clicks found.
#[derive(Debug)]
pub struct ObjectRegion {
    /// The model of each click, in click order.
    pub models: Vec<SeedModel>,
    pub region: Region,
}

/// The region of the object at `clicks` (at least one), in a scan of noise `scan_noise`.
pub fn object_region(
    scan: Scan<'_>,
    clicks: &[VoxelIndex],
    scan_noise: f32,
    control: &RunControl,
) -> Result<ObjectRegion, EngineError> {
    let volume = scan.volume;
    let seeds: Vec<(VoxelIndex, SeedModel)> = clicks
        .iter()
        .map(|&c| (c, SeedModel::learn(volume, scan.spacing_mm, c, scan_noise)))
        .collect();
    let band = grow_band(volume, &seeds, MAX_VOXELS, control)?;
    let region = Region::from_offsets(volume.dims(), &band.offsets);
    let band_voxels = region.len();
    let region = cut_at_necks(&region, clicks, scan.spacing_mm, control)?;
    tracing::debug!(
        ?clicks,
        models = ?seeds.iter().map(|(_, m)| (m.center, m.sigma, m.bright)).collect::<Vec<_>>(),
        half_width_sigmas = band.half_width_sigmas,
        band_voxels,
        kept_voxels = region.len(),
        "object region"
    );
    Ok(ObjectRegion {
        models: seeds.into_iter().map(|(_, m)| m).collect(),
        region,
    })
}
