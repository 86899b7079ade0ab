//! One object's region from its clicks: their appearance, the band region they grow, cut at
//! necks. Used for a label's include clicks together, and for each exclude click alone (the
//! other object it marks).

use std::borrow::Cow;

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::band::grow_band;
use super::bone::bone_around;
use super::holes::fill_small_holes;
use super::necks::cut_at_necks;
use super::region::Region;
use super::region::{face_neighbours, index_of};
use super::seed_model::{ScanStats, SeedModel, value};
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
    /// How much of the flood an include click keeps ([`Flood::keep_tight`]), found once.
    tight_len: usize,
}

impl ObjectRegion {
    /// The tight region cut before the flood reaches any of `excluded` (volume offsets):
    /// `None` where it reaches none of them within the tight cut.
    pub fn before(&self, excluded: &[usize]) -> Option<Region> {
        let flood = self.flood.as_ref()?;
        let first = flood.order[..self.tight_len.min(flood.order.len())]
            .iter()
            .position(|o| excluded.contains(o))?;
        Some(flood.prefix(self.region.dims, flood.keep(Some(first))))
    }

    /// The region an include click stands for: the flood cut tightly (see
    /// [`Flood::keep_tight`]); the bone or the whole region where there is no flood. (`region`,
    /// cut widest, is what an exclude click marks.)
    pub fn tight(&self) -> Cow<'_, Region> {
        match &self.flood {
            Some(flood) => Cow::Owned(flood.prefix(self.region.dims, self.tight_len)),
            None => Cow::Borrowed(&self.region),
        }
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
    // In CT, a region walled in by bone is the inside of a bone (marrow, cancellous bone):
    // the object is the bone, its cortex and all it encloses, cut at the joints.
    let wall = (stats.hounsfield && !seeds[0].1.bright)
        .then(|| walled_in(volume, &region, &seeds[0].1))
        .flatten();
    if let Some(bone) = wall.and_then(|wall| bone_around(volume, &region, wall, cap)) {
        let bone = cut_at_necks(&bone, clicks, scan.spacing_mm, control)?;
        if bone.len() > region.len() {
            (region, flood) = (bone, None);
        }
    }
    let tight_len = flood.as_ref().map_or(0, Flood::keep_tight);
    Ok(ObjectRegion {
        models: seeds.into_iter().map(|(_, m)| m).collect(),
        region,
        flood,
        tight_len,
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
    let region = fill_small_holes(&region, small_hole_area(scan.spacing_mm));
    let holes_ms = started.elapsed().as_millis() - band_ms;
    let region = cut_at_necks(&region, clicks, scan.spacing_mm, control)?;
    let necked_voxels = region.len();
    let necks_ms = started.elapsed().as_millis() - band_ms - holes_ms;
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
        holes_ms,
        necks_ms,
        rest_ms = started.elapsed().as_millis() - band_ms,
        "object region"
    );
    Ok((region, flood))
}

/// Gaps in a band up to this area (mm², on an axial slice) are noise, not anatomy.
const SMALL_HOLE_MM2: f64 = 25.0;

fn small_hole_area(spacing_mm: [f64; 3]) -> usize {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "small positive"
    )]
    let area = (SMALL_HOLE_MM2 / (spacing_mm[0] * spacing_mm[1])).round() as usize;
    area.max(1)
}

/// Bone outside at least this fraction of a region's boundary walls it in...
const WALLED: f64 = 0.5;
/// ...bone: brighter than the region by this many sigmas, and at least this many Hounsfield
/// units. Tissue this much darker than the region (fat around a muscle) must not outnumber it.
const WALL_SIGMAS: f32 = 4.0;
const BONE_HU: f32 = 150.0;

/// The intensity of the bone walling the region in, if it is: see [`WALLED`].
fn walled_in(volume: &Volume, region: &Region, model: &SeedModel) -> Option<f32> {
    let dims = volume.dims();
    let wall = (model.center + WALL_SIGMAS * model.sigma).max(BONE_HU);
    let dark = model.center - WALL_SIGMAS * model.sigma;
    let (mut faces, mut brighter, mut darker) = (0usize, 0usize, 0usize);
    for offset in region.offsets() {
        let v = index_of(offset, dims);
        for (axis, w) in face_neighbours(v, dims) {
            if region.contains(w) {
                continue;
            }
            faces += 1;
            // A thin cortex is a voxel or two, partly averaged with what it walls in: look
            // two voxels out.
            let mut beyond = w;
            beyond[axis] = if w[axis] > v[axis] {
                (w[axis] + 1).min(dims[axis] - 1)
            } else {
                w[axis].saturating_sub(1)
            };
            let (near, far) = (value(volume, w), value(volume, beyond));
            brighter += usize::from(near.max(far) > wall);
            darker += usize::from(near.min(far) < dark);
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "a fraction")]
    let fraction = brighter as f64 / faces.max(1) as f64;
    (fraction >= WALLED && brighter >= darker).then_some(wall)
}
