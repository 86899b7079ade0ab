//! One object's region from its clicks: their appearance, the band region they grow, cut at
//! necks. Used for a label's include clicks together, and for each exclude click alone (the
//! other object it marks).

use interseg_shared::geometry::VoxelIndex;

use super::band::grow_band;
use super::necks::cut_at_necks;
use super::region::Region;
use super::seed_model::SeedModel;
use crate::segmentation::engine::{EngineError, RunControl, Scan};

/// The most one object's flood may take, in mm³: more than any organ a click is for (a large
/// liver is 2 litres), so reaching it means the band leaked into the body at large.
const MAX_VOLUME_MM3: f64 = 3.0e6;
/// Whatever the voxel size, at least and at most this many voxels.
const VOXEL_LIMITS: (f64, f64) = (50_000.0, 6_000_000.0);

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
    let voxel_mm3: f64 = scan.spacing_mm.iter().product();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to a small positive range"
    )]
    let cap = (MAX_VOLUME_MM3 / voxel_mm3).clamp(VOXEL_LIMITS.0, VOXEL_LIMITS.1) as usize;
    let started = std::time::Instant::now();
    let band = grow_band(volume, &seeds, cap, control)?;
    let band_ms = started.elapsed().as_millis();
    let region = Region::from_offsets(volume.dims(), &band.offsets);
    let band_voxels = region.len();
    let region = cut_at_necks(&region, clicks, scan.spacing_mm, control)?;
    let necks_ms = started.elapsed().as_millis() - band_ms;
    tracing::debug!(
        ?clicks,
        models = ?seeds.iter().map(|(_, m)| (m.center, m.sigma, m.bright)).collect::<Vec<_>>(),
        half_width_sigmas = band.half_width_sigmas,
        band_voxels,
        kept_voxels = region.len(),
        band_ms,
        necks_ms,
        "object region"
    );
    Ok(ObjectRegion {
        models: seeds.into_iter().map(|(_, m)| m).collect(),
        region,
    })
}
