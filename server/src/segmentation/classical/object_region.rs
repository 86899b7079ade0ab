//! One object's region from its clicks: their appearance, the band region they grow, cut at
//! necks. Used for a label's include clicks together, and for each exclude click alone (the
//! other object it marks).

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::band::grow_band;
use super::necks::cut_at_necks;
use super::region::Region;
use super::region::{face_neighbours, index_of};
use super::seed_model::{ScanStats, SeedModel, smoothed};
use super::sharpest::{Flood, sharpest_flood};
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
    /// The flood the region was cut from, to cut again before exclude clicks.
    pub flood: Option<Flood>,
}

impl ObjectRegion {
    /// The region cut before the flood reaches any of `excluded` (volume offsets): `None`
    /// where it reaches none of them.
    pub fn before(&self, excluded: &[usize]) -> Option<Region> {
        let flood = self.flood.as_ref()?;
        let first = flood.order.iter().position(|o| excluded.contains(o))?;
        Some(flood.prefix(self.region.dims, flood.keep(Some(first))))
    }

    /// Voxels held, for the cache's accounting.
    pub fn footprint(&self) -> usize {
        self.region.bits().len() + self.flood.as_ref().map_or(0, |f| f.order.len() * 8)
    }
}

/// The region of the object at `clicks` (at least one), in a scan of `stats`.
pub fn object_region(
    scan: Scan<'_>,
    clicks: &[VoxelIndex],
    stats: ScanStats,
    control: &RunControl,
) -> Result<ObjectRegion, EngineError> {
    let volume = scan.volume;
    let seeds: Vec<(VoxelIndex, SeedModel)> = clicks
        .iter()
        .map(|&c| (c, SeedModel::learn(volume, scan.spacing_mm, c, stats.noise)))
        .collect();
    let voxel_mm3: f64 = scan.spacing_mm.iter().product();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to a small positive range"
    )]
    let cap = (MAX_VOLUME_MM3 / voxel_mm3).clamp(VOXEL_LIMITS.0, VOXEL_LIMITS.1) as usize;
    let (mut region, mut flood) = find(scan, clicks, &seeds, cap, control)?;
    // In CT, a region walled in by bone is the inside of a bone (cancellous bone or marrow
    // inside the cortex): the object takes what is brighter too.
    if stats.hounsfield && !seeds[0].1.bright && walled_in(volume, &region, &seeds[0].1) {
        let mut bright = seeds.clone();
        for (_, model) in &mut bright {
            model.bright = true;
        }
        let (walled, walled_flood) = find(scan, clicks, &bright, cap, control)?;
        if walled.len() > region.len() {
            (region, flood) = (walled, walled_flood);
        }
    }
    Ok(ObjectRegion {
        models: seeds.into_iter().map(|(_, m)| m).collect(),
        region,
        flood,
    })
}

/// The band around the clicks' intensities, cut at necks and at its sharpest boundary.
fn find(
    scan: Scan<'_>,
    clicks: &[VoxelIndex],
    seeds: &[(VoxelIndex, SeedModel)],
    cap: usize,
    control: &RunControl,
) -> Result<(Region, Option<Flood>), EngineError> {
    let volume = scan.volume;
    let started = std::time::Instant::now();
    let band = grow_band(volume, seeds, cap, control)?;
    let band_ms = started.elapsed().as_millis();
    let region = Region::from_offsets(volume.dims(), &band.offsets);
    let band_voxels = region.len();
    let region = cut_at_necks(&region, clicks, scan.spacing_mm, control)?;
    let necked_voxels = region.len();
    let flood = sharpest_flood(
        volume,
        scan.spacing_mm,
        &region,
        clicks[0],
        &seeds[0].1,
        control,
    )?;
    let region = match &flood {
        Some(flood) => flood.prefix(volume.dims(), flood.keep(None)),
        None => region,
    };
    tracing::debug!(
        ?clicks,
        models = ?seeds.iter().map(|(_, m)| (m.center, m.sigma, m.bright)).collect::<Vec<_>>(),
        half_width_sigmas = band.half_width_sigmas,
        band_voxels,
        necked_voxels,
        kept_voxels = region.len(),
        band_ms,
        rest_ms = started.elapsed().as_millis() - band_ms,
        "object region"
    );
    Ok((region, flood))
}

/// Brighter voxels outside at least this fraction of a region's boundary wall it in.
const WALLED: f64 = 0.5;
/// Brighter by at least this many sigmas, and bone: at least this many Hounsfield units.
const WALL_SIGMAS: f32 = 4.0;
const BONE_HU: f32 = 150.0;

/// Whether most of the region's boundary faces lead to bone much brighter than the region.
fn walled_in(volume: &Volume, region: &Region, model: &SeedModel) -> bool {
    let dims = volume.dims();
    let wall = (model.center + WALL_SIGMAS * model.sigma).max(BONE_HU);
    let (mut faces, mut brighter) = (0usize, 0usize);
    for offset in region.offsets() {
        let v = index_of(offset, dims);
        for (_, w) in face_neighbours(v, dims) {
            if !region.contains(w) {
                faces += 1;
                brighter += usize::from(smoothed(volume, w) > wall);
            }
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "a fraction")]
    let fraction = brighter as f64 / faces.max(1) as f64;
    fraction >= WALLED
}
