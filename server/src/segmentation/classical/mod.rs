//! The built-in engine. Each click finds its object ([`object_region`]): the widest intensity
//! band around its intensity that does not leak ([`band`]), cut at narrow necks where that
//! band still joins several objects ([`necks`]), and where a flood from the click leaves its
//! object for tissue alike ([`sharpest`]); an exclude click cuts its label's regions back to
//! before that flood reached it. In CT, a region walled in by bone is a bone's inside: the
//! object is the whole bone ([`bone`]).
//! A label with several include clicks also searches from all of them at once, and takes that
//! joint region where its boundary is clearly sharper ([`joint`]).
//! Each exclude click finds the other object it marks the same way (one on the label's rim
//! acts only near itself: it trims the edge there). All labels and all
//! exclusions then compete for voxels by geodesic cost, each within its own region
//! ([`compete`]); edges are then moved to local intensity midpoints ([`refine`]), and parts
//! cut off from the clicks dropped ([`islands`]). Regions
//! depend only on their clicks, so they are kept ([`cache`]): a
//! correction recomputes its own label only. Labels whose regions share no voxel race apart
//! and in parallel, and each such group's outcome is kept too ([`apart`]): a correction
//! reruns only its own group's race. Deterministic: the same prompts give the same labels.

mod apart;
mod band;
mod bone;
mod cache;
mod compete;
pub mod distance;
mod growers;
mod holes;
mod islands;
mod joint;
mod necks;
mod object_region;
mod refine;
mod region;
mod seed_model;
mod sharpest;

use std::collections::HashMap;
use std::sync::Arc;

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;
use rayon::prelude::*;

use self::apart::{GroupKey, compete_apart};
use self::cache::{Cache, ClickKey, RegionCache, VolumeFingerprint};
use self::compete::{Grower, Outcome};
use self::growers::label_growers;
use self::holes::fill_holes;
use self::islands::drop_unclicked_parts;
use self::object_region::{ObjectRegion, object_region};
use self::refine::refine_boundary;

use self::seed_model::{ScanStats, scan_stats};
use super::engine::{Engine, EngineError, LabelPrompt, LabelVolume, PromptBox, RunControl, Scan};

/// How far (voxels) the edge refinement may move a label past the box of its region.
const REFINE_MARGIN: usize = 2;

/// Object regions, then a competition among labels and exclusions.
#[derive(Debug, Default)]
pub struct ClassicalEngine {
    cache: RegionCache,
    /// The outcome of each group of labels that race apart ([`apart`]), by their clicks.
    outcomes: Cache<GroupKey, Outcome>,
}

/// One label's clicks, boxes standing for their centres.
struct LabelClicks {
    label: u8,
    include: Vec<VoxelIndex>,
    exclude: Vec<VoxelIndex>,
    /// Include boxes: the label stays within their in-plane extent (with a margin).
    boxes: Vec<PromptBox>,
}

impl Engine for ClassicalEngine {
    fn name(&self) -> &'static str {
        "classical"
    }

    fn segment(
        &self,
        scan: Scan<'_>,
        prompts: &[LabelPrompt],
        _previous: Option<&LabelVolume>,
        control: &RunControl,
    ) -> Result<LabelVolume, EngineError> {
        let volume = scan.volume;
        for point in prompts
            .iter()
            .flat_map(|p| p.include.iter().chain(&p.exclude))
        {
            volume
                .offset(*point)
                .ok_or(EngineError::PromptOutside(*point))?;
        }
        let labels: Vec<LabelClicks> = prompts
            .iter()
            .filter(|p| p.label != 0)
            .map(label_clicks)
            .filter(|l| !l.include.is_empty())
            .collect();
        if labels.is_empty() {
            return Err(EngineError::NoPrompts);
        }
        if control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let started = std::time::Instant::now();
        let fingerprint = VolumeFingerprint::of(scan);
        // Every object to find: each click's own, and a label's include clicks together once
        // there are enough of them.
        let mut objects: Vec<Vec<VoxelIndex>> = labels
            .iter()
            .flat_map(|l| l.include.iter().chain(&l.exclude))
            .map(|&c| vec![c])
            .collect();
        objects.extend(
            labels
                .iter()
                .filter(|l| l.include.len() >= joint::MIN_CLICKS)
                .map(|l| l.include.clone()),
        );
        let regions = self.object_regions(scan, fingerprint, objects, control)?;
        control.report(0.7);
        let regions_done = started.elapsed();
        let region_of = |clicks: &[VoxelIndex]| {
            regions
                .get(&ClickKey::new(fingerprint, clicks))
                .map(Arc::as_ref)
        };
        let (growers, corrections) = label_growers(scan, &labels, &region_of);
        let Outcome {
            labelled,
            held_back,
        } = compete_apart(
            scan,
            fingerprint,
            &labels,
            &growers,
            &self.outcomes,
            control,
        )?;
        let mut labels = vec![0u8; volume.dims().iter().product()];
        for (offset, label) in labelled {
            labels[offset] = label;
        }
        control.report(0.85);
        let compete_done = started.elapsed();
        refine_labels(volume, &mut labels, &growers, &held_back, &corrections);
        control.report(1.0);
        tracing::debug!(
            regions_ms = regions_done.as_millis(),
            compete_ms = (compete_done - regions_done).as_millis(),
            refine_ms = (started.elapsed() - compete_done).as_millis(),
            "segmented"
        );
        Ok(LabelVolume {
            dims: volume.dims(),
            labels,
        })
    }
}

impl ClassicalEngine {
    /// The region of every object, from the cache or computed (in parallel).
    fn object_regions(
        &self,
        scan: Scan<'_>,
        fingerprint: VolumeFingerprint,
        mut objects: Vec<Vec<VoxelIndex>>,
        control: &RunControl,
    ) -> Result<HashMap<ClickKey, Arc<ObjectRegion>>, EngineError> {
        objects.sort_unstable();
        objects.dedup();
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for clicks in objects {
            let key = ClickKey::new(fingerprint, &clicks);
            match self.cache.get(&key) {
                Some(region) => {
                    found.insert(key, region);
                }
                None => missing.push((key, clicks)),
            }
        }
        let stats = if missing.is_empty() {
            ScanStats {
                noise: 0.0,
                hounsfield: false,
            }
        } else {
            scan_stats(scan.volume)
        };
        let computed: Vec<(ClickKey, Arc<ObjectRegion>)> = missing
            .into_par_iter()
            .map(|(key, clicks)| {
                object_region(scan, &clicks, stats, control).map(|r| (key, Arc::new(r)))
            })
            .collect::<Result<_, _>>()?;
        for (key, region) in computed {
            self.cache.put(key.clone(), Arc::clone(&region));
            found.insert(key, region);
        }
        Ok(found)
    }
}

/// Moves each label's edges to local midpoints and fills its holes, within a margin of what it
/// could take; an exclusion's voxels stay out, the clicks and what corrections found stay in.
/// What is left apart from the clicks goes.
fn refine_labels(
    volume: &Volume,
    labels: &mut [u8],
    growers: &[Grower],
    held_back: &[(u8, usize)],
    corrections: &HashMap<u8, Vec<usize>>,
) {
    // Edges at local midpoints, label by label, within a margin of what each could take.
    let dims = volume.dims();
    for grower in growers.iter().filter(|g| g.label != 0) {
        let mut members: Vec<usize> = grower
            .allowed
            .offsets()
            .into_iter()
            .filter(|&o| labels[o] == grower.label)
            .collect();
        let lo = grower.allowed.lo.map(|x| x.saturating_sub(REFINE_MARGIN));
        let hi = [0, 1, 2].map(|a| (grower.allowed.hi[a] + REFINE_MARGIN).min(dims[a]));
        let label = grower.label;
        let kept_out = |o: usize| held_back.binary_search(&(label, o)).is_ok();
        let clicks: Vec<usize> = grower
            .seeds
            .iter()
            .filter_map(|&s| volume.offset(s))
            .collect();
        // The user's include clicks, and what each correction found around itself, stay.
        let mut kept_in: Vec<usize> = clicks
            .iter()
            .copied()
            .chain(corrections.get(&label).into_iter().flatten().copied())
            .filter(|&o| labels[o] == label)
            .collect();
        kept_in.sort_unstable();
        kept_in.dedup();
        refine_boundary(
            volume,
            labels,
            label,
            &mut members,
            lo,
            hi,
            &kept_out,
            &kept_in,
        );
        fill_holes(labels, dims, label, lo, hi, &kept_out);
        drop_unclicked_parts(labels, dims, label, lo, hi, &clicks);
    }
}

fn label_clicks(prompt: &LabelPrompt) -> LabelClicks {
    let centres = |include: bool| {
        prompt
            .boxes
            .iter()
            .filter(move |b| b.include == include)
            .map(PromptBox::center)
    };
    LabelClicks {
        label: prompt.label,
        include: prompt
            .include
            .iter()
            .copied()
            .chain(centres(true))
            .collect(),
        exclude: prompt
            .exclude
            .iter()
            .copied()
            .chain(centres(false))
            .collect(),
        boxes: prompt.boxes.iter().filter(|b| b.include).copied().collect(),
    }
}

#[cfg(test)]
mod tests;
