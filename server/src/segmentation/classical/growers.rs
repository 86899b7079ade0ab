//! Each label's competitors: its include clicks' region (cut before its exclude clicks, with
//! what corrections found around themselves) and the other objects its exclude clicks mark.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::LabelClicks;
use super::compete::Grower;
use super::joint;
use super::object_region::ObjectRegion;
use super::region::{self, Region, index_of};
use super::seed_model::{SeedModel, smoothed};
use crate::segmentation::engine::{PromptBox, Scan};

/// The growers of every label, exclusions first (they win ties against their label), and per
/// label what its corrective include clicks found around themselves (sorted offsets).
pub(super) fn label_growers<'r>(
    scan: Scan<'_>,
    labels: &[LabelClicks],
    region_of: &impl Fn(&[VoxelIndex]) -> Option<&'r ObjectRegion>,
) -> (Vec<Grower>, HashMap<u8, Vec<usize>>) {
    let volume = scan.volume;
    let mut exclusions = Vec::new();
    let mut growers = Vec::new();
    // Per label: what its corrective include clicks found around themselves.
    let mut corrections: HashMap<u8, Vec<usize>> = HashMap::new();
    for clicks in labels {
        let found: Vec<&ObjectRegion> = clicks
            .include
            .iter()
            .filter_map(|&c| region_of(&[c]))
            .collect();
        let Some(first) = found.first() else {
            continue;
        };
        let sigma = first.models.first().map_or(1.0, |m| m.sigma);
        // An exclude click inside what an include click found cuts that region back to
        // its sharpest boundary before the flood reached the exclude click.
        let excluded: Vec<usize> = clicks
            .exclude
            .iter()
            .filter_map(|&c| volume.offset(c))
            .collect();
        // An include click's object ends where its flood's boundary first became sharp
        // (the tight cut).
        let uncut: Vec<Cow<'_, Region>> = found.iter().map(|r| r.tight()).collect();
        let cut: Vec<Cow<'_, Region>> = found
            .iter()
            .zip(&uncut)
            .map(|(r, uncut)| match r.before(&excluded) {
                Some(cut) => Cow::Owned(restore_beyond_reach(
                    uncut,
                    &cut,
                    &clicks.exclude,
                    scan.spacing_mm,
                )),
                None => Cow::Borrowed(uncut.as_ref()),
            })
            .collect();
        let (mut allowed, corrected) = allowed_region(scan, &clicks.include, &cut, &clicks.boxes);
        // Boxes bound a label already: no joint search beyond them.
        if clicks.include.len() >= joint::MIN_CLICKS
            && clicks.boxes.is_empty()
            && let Some(together) = region_of(&clicks.include)
        {
            allowed = joint::widen(volume, allowed, together, &excluded, sigma);
        }
        let allowed = Arc::new(allowed);
        corrections.insert(clicks.label, corrected);
        tracing::debug!(
            found = ?found.iter().map(|r| r.region.len()).collect::<Vec<_>>(),
            cut = ?cut.iter().map(|r| r.len()).collect::<Vec<_>>(),
            allowed = allowed.len(),
            "label regions"
        );
        if !clicks.exclude.is_empty() {
            // An exclude click marks another object: it takes back from this label what
            // that object's own region shares with it and looks more like the exclude
            // click than like the label's include clicks, and no more.
            let include_models: Vec<SeedModel> = found
                .iter()
                .flat_map(|r| r.models.iter().copied())
                .collect();
            // The first include click's region before any exclude click cut it.
            let label_region = &uncut[0];
            let mut marked: Vec<usize> = clicks
                .exclude
                .iter()
                .filter_map(|&c| region_of(&[c]).map(|r| (c, r)))
                .flat_map(|(c, r)| {
                    // On the label's rim, the exclusion competes only near the click.
                    let mut marked = marked_by(volume, c, r, &include_models);
                    let depth = depth_mm(label_region, c, scan.spacing_mm);
                    if let Some(reach) = rim_reach(depth, scan.spacing_mm) {
                        marked.retain(|&o| {
                            within_mm(index_of(o, volume.dims()), c, reach, scan.spacing_mm)
                        });
                    }
                    marked
                })
                .collect();
            marked.extend(clicks.exclude.iter().filter_map(|&c| volume.offset(c)));
            marked.sort_unstable();
            marked.dedup();
            tracing::debug!(marked = marked.len(), "exclusion region");
            exclusions.push(Grower {
                label: 0,
                against: Some(clicks.label),
                seeds: clicks.exclude.clone(),
                allowed: Arc::new(Region::from_offsets(volume.dims(), &marked)),
                sigma,
            });
        }
        growers.push(Grower {
            label: clicks.label,
            against: None,
            seeds: clicks.include.clone(),
            allowed,
            sigma,
        });
    }
    // Exclusions first: they win ties against their label.
    let growers = exclusions.into_iter().chain(growers).collect();
    (growers, corrections)
}

/// What the label's clicks found, kept inside its include boxes' in-plane extent, and
/// (sorted offsets) what its corrections added. The first click sets the object's scale: a
/// later click adds what it found up to that scale around itself, so a correction on an
/// ambiguous spot cannot flood the label.
fn allowed_region(
    scan: Scan<'_>,
    clicks: &[VoxelIndex],
    found: &[Cow<'_, Region>],
    boxes: &[PromptBox],
) -> (Region, Vec<usize>) {
    let dims = scan.volume.dims();
    let Some(first) = found.first() else {
        return (Region::empty_box(dims, [0; 3], [0; 3]), Vec::new());
    };
    let scale = first.len();
    let mut offsets = first.offsets();
    let mut corrected = Vec::new();
    for (click, region) in clicks.iter().zip(found).skip(1) {
        // A correction adds what lies around it, as far as it is from what the label had: the
        // user clicked inside a missed part about that big.
        let gap = distance_mm(&offsets, *click, scan.volume.dims(), scan.spacing_mm);
        let reach = (REACH_PER_GAP * gap).max(MIN_REACH_MM);
        let count = if region.len() > CORRECTION_SCALE * scale {
            scale / TRIMMED_DIVISOR
        } else {
            region.len()
        };
        corrected.extend(nearest(region, *click, count, reach, scan.spacing_mm));
    }
    offsets.extend_from_slice(&corrected);
    offsets.sort_unstable();
    offsets.dedup();
    corrected.sort_unstable();
    corrected.dedup();
    if !boxes.is_empty() {
        let in_boxes = |&o: &usize| {
            let v = index_of(o, dims);
            boxes.iter().any(|b| in_box_extent(b, v))
        };
        offsets.retain(in_boxes);
        corrected.retain(in_boxes);
    }
    (Region::from_offsets(dims, &offsets), corrected)
}

/// What exclude click `click` marks of its object's region: the voxels that look more like it
/// than like the label, and its immediate neighbours.
fn marked_by(
    volume: &Volume,
    click: VoxelIndex,
    region: &ObjectRegion,
    include_models: &[SeedModel],
) -> Vec<usize> {
    let model = region.models.first();
    region
        .region
        .offsets()
        .into_iter()
        .filter(|&o| {
            near(volume.dims(), o, click)
                || model.is_some_and(|m| looks_like(volume, o, m, include_models))
        })
        .collect()
}

/// Whether the voxel at offset `o` looks no less like `model` than like any of `others`
/// (smoothed intensity, in each model's sigmas, within `LOOKS_ALIKE` of each other: where
/// the models cannot tell the voxel apart, the competition decides).
fn looks_like(volume: &Volume, o: usize, model: &SeedModel, others: &[SeedModel]) -> bool {
    let v = smoothed(volume, index_of(o, volume.dims()));
    let distance = |m: &SeedModel| (v - m.center).abs() / m.sigma;
    let own = distance(model);
    others.iter().all(|m| own < distance(m) + LOOKS_ALIKE)
}

/// Sigmas within which two models describe a voxel equally well.
const LOOKS_ALIKE: f32 = 1.0;

/// Whether offset `o` is the voxel `c` or one of its 26 neighbours.
fn near(dims: [usize; 3], o: usize, c: VoxelIndex) -> bool {
    let v = index_of(o, dims);
    (0..3).all(|a| v[a].abs_diff(c[a]) <= 1)
}

/// A correction's region may be this many times the first click's before it is trimmed (to
/// the first's size divided by `TRIMMED_DIVISOR`, around the correction): so much more than
/// the object itself means the correction's region leaked.
const CORRECTION_SCALE: usize = 2;
const TRIMMED_DIVISOR: usize = 2;

/// `cut` (what is left of `region` before exclude clicks) with what it lost beyond every
/// exclude click's reach given back: a click marks the part it lies in, about as big as it is
/// deep inside the region, and not the far side of the object.
pub(super) fn restore_beyond_reach(
    region: &Region,
    cut: &Region,
    excludes: &[VoxelIndex],
    spacing_mm: [f64; 3],
) -> Region {
    let reaches: Vec<(VoxelIndex, f64)> = excludes
        .iter()
        .map(|&c| (c, exclude_reach(region, c, spacing_mm)))
        .collect();
    let dims = region.dims;
    let mut grown = Region::empty_box(dims, region.lo, region.hi);
    for o in cut.offsets() {
        grown.insert(index_of(o, dims));
    }
    for o in region.offsets() {
        let v = index_of(o, dims);
        if !cut.contains(v)
            && reaches
                .iter()
                .all(|&(c, reach)| !within_mm(v, c, reach, spacing_mm))
        {
            grown.insert(v);
        }
    }
    grown
}

/// How far (mm) an exclude click at `c` reaches into the label's `region`: a multiple of how
/// deep it lies inside it.
fn exclude_reach(region: &Region, c: VoxelIndex, spacing_mm: [f64; 3]) -> f64 {
    let depth = depth_mm(region, c, spacing_mm);
    match rim_reach(depth, spacing_mm) {
        Some(reach) => reach,
        None => (EXCLUDE_REACH_PER_DEPTH * depth).max(MIN_REACH_MM),
    }
}

/// An exclude click at most this many voxels deep in its label's region lies on the label's
/// rim (a partial-volume fringe, a sliver along a neighbour): it corrects the edge there,
/// within `RIM_REACH_PER_DEPTH` times its depth, and no more; a wide cut would take the
/// object's body with it. A leak into a neighbour is deeper than that.
const RIM_VOXELS: f64 = 2.0;
const RIM_REACH_PER_DEPTH: f64 = 3.0;

/// How far (mm) an exclude click `depth` mm deep reaches when it lies on a rim, else `None`.
fn rim_reach(depth: f64, spacing_mm: [f64; 3]) -> Option<f64> {
    let voxel = spacing_mm.iter().copied().fold(f64::INFINITY, f64::min);
    (depth > 0.0 && depth <= RIM_VOXELS * voxel).then(|| (RIM_REACH_PER_DEPTH * depth).max(voxel))
}

/// Whether `v` lies within `reach` mm of `c`.
fn within_mm(v: VoxelIndex, c: VoxelIndex, reach: f64, spacing_mm: [f64; 3]) -> bool {
    squared_mm(v, c, spacing_mm) <= reach * reach
}

/// The squared distance (mm²) between voxels `v` and `c`.
fn squared_mm(v: VoxelIndex, c: VoxelIndex, spacing_mm: [f64; 3]) -> f64 {
    (0..3)
        .map(|a| {
            #[expect(clippy::cast_precision_loss, reason = "voxel indices")]
            let d = (v[a] as f64 - c[a] as f64) * spacing_mm[a];
            d * d
        })
        .sum()
}

/// How deep `c` lies inside `region` (mm to its nearest voxel outside it or the volume), searched out to
/// `MAX_DEPTH_VOXELS`; 0 outside the region.
fn depth_mm(region: &Region, c: VoxelIndex, spacing_mm: [f64; 3]) -> f64 {
    if !region.contains(c) {
        return 0.0;
    }
    let dims = region.dims;
    let mut best = f64::INFINITY;
    let min_step = spacing_mm.iter().copied().fold(f64::INFINITY, f64::min);
    for r in 1..=MAX_DEPTH_VOXELS {
        #[expect(clippy::cast_precision_loss, reason = "small")]
        if (r as f64 - 1.0) * min_step > best {
            break;
        }
        // Past the volume's edge is outside too.
        for a in 0..3 {
            if c[a] < r || c[a] + r >= dims[a] {
                #[expect(clippy::cast_precision_loss, reason = "small")]
                let edge = r as f64 * spacing_mm[a];
                best = best.min(edge);
            }
        }
        let lo = c.map(|x| x.saturating_sub(r));
        let hi = [0, 1, 2].map(|a| (c[a] + r).min(dims[a] - 1));
        for k in lo[2]..=hi[2] {
            for j in lo[1]..=hi[1] {
                for i in lo[0]..=hi[0] {
                    let v = [i, j, k];
                    let on_shell = (0..3).any(|a| v[a].abs_diff(c[a]) == r);
                    if on_shell && !region.contains(v) {
                        best = best.min(squared_mm(v, c, spacing_mm).sqrt());
                    }
                }
            }
        }
    }
    if best.is_finite() {
        best
    } else {
        #[expect(clippy::cast_precision_loss, reason = "small")]
        let far = MAX_DEPTH_VOXELS as f64 * min_step;
        far
    }
}

/// An exclude click's reach, per mm of its depth in the region it cuts.
const EXCLUDE_REACH_PER_DEPTH: f64 = 10.0;
const MAX_DEPTH_VOXELS: usize = 32;

/// How far a correction reaches, per mm between it and what the label had, and at least.
const REACH_PER_GAP: f64 = 4.0;
const MIN_REACH_MM: f64 = 5.0;

/// The distance (mm) from `click` to the nearest of `offsets`.
fn distance_mm(
    offsets: &[usize],
    click: VoxelIndex,
    dims: [usize; 3],
    spacing_mm: [f64; 3],
) -> f64 {
    offsets
        .iter()
        .map(|&o| squared_mm(index_of(o, dims), click, spacing_mm))
        .fold(f64::INFINITY, f64::min)
        .sqrt()
}

/// The `count` voxels of `region` nearest to `from` along the region (offsets), none farther
/// than `reach_mm`.
fn nearest(
    region: &Region,
    from: VoxelIndex,
    count: usize,
    reach_mm: f64,
    spacing_mm: [f64; 3],
) -> Vec<usize> {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "micrometres"
    )]
    let reach = (reach_mm * 1000.0).min(1e15) as u64;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let dims = region.dims;
    let mut out = Vec::with_capacity(count);
    let mut seen = Region::empty_box(dims, region.lo, region.hi);
    let mut heap = BinaryHeap::new();
    if region.contains(from) {
        heap.push(Reverse((0u64, from)));
        seen.insert(from);
    }
    while let Some(Reverse((cost, v))) = heap.pop() {
        if cost > reach {
            break;
        }
        out.push(v[0] + dims[0] * (v[1] + dims[1] * v[2]));
        if out.len() >= count {
            break;
        }
        for (axis, w) in region::face_neighbours(v, dims) {
            if region.contains(w) && !seen.contains(w) {
                seen.insert(w);
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "micrometres"
                )]
                let step = (spacing_mm[axis] * 1000.0) as u64;
                heap.push(Reverse((cost + step, w)));
            }
        }
    }
    out
}

/// Whether `v` lies within a box's in-plane extent, widened by a quarter of its size.
fn in_box_extent(b: &PromptBox, v: VoxelIndex) -> bool {
    (0..3).all(|a| {
        if b.lo[a] == b.hi[a] {
            return true;
        }
        let margin = (b.hi[a] - b.lo[a]) / 4 + 2;
        v[a] + margin >= b.lo[a] && v[a] <= b.hi[a] + margin
    })
}
