//! Stage two of a click's region: where the band's region is several objects joined by narrow
//! necks (vertebrae by their joints, a rib by its joint with the spine, an organ by a thin
//! contact with its neighbour), keep the clicked one.
//!
//! The depth of each voxel inside the region (its distance to the region's edge, in mm) is
//! high in each object's core and low at the necks between them. A flood from the click's
//! deepest nearby point takes voxels in order of the narrowest passage on their way (maximin);
//! it crosses a neck only once its level has come down to the neck's depth. A neck is cut when
//! it is much narrower than the objects on both of its sides. The clicked object is then
//! every voxel of the region nearer (along the region) to its own core than to another core.

use std::collections::VecDeque;

use interseg_shared::geometry::VoxelIndex;

use super::distance::depth_mm;
use super::region::Region;
use crate::segmentation::engine::{EngineError, RunControl};

/// A neck narrower than this fraction of the shallower of the two cores it joins is cut.
const NECK_RATIO: f64 = 0.45;
/// Only towards a core at least this fraction as deep as the clicked one: thinner ones are the
/// object's own branches (white matter's gyral blades), not a neighbour.
const PEAK_RATIO: f64 = 0.5;
/// Regions smaller than this are taken whole.
const MIN_VOXELS: usize = 64;

/// The part of `region` that belongs to the object at `seeds` (its clicks).
pub fn cut_at_necks(
    region: &Region,
    seeds: &[VoxelIndex],
    spacing_mm: [f64; 3],
    control: &RunControl,
) -> Result<Region, EngineError> {
    let seeds: Vec<VoxelIndex> = seeds
        .iter()
        .copied()
        .filter(|&s| region.contains(s))
        .collect();
    let size = region.size();
    // A box of 2^31 cells would need 16 GiB of depths: such a region is taken whole.
    if region.len() < MIN_VOXELS || seeds.is_empty() || size.iter().product::<usize>() >= 1 << 31 {
        return Ok(region.clone());
    }
    let depth = depth_mm(size, region.bits(), spacing_mm);
    if control.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    let local = |v: VoxelIndex| [0, 1, 2].map(|a| v[a] - region.lo[a]);
    let starts: Vec<[usize; 3]> = seeds
        .iter()
        .map(|&s| climb(&depth, size, local(s)))
        .collect();
    let Some(core) = own_core(&depth, size, &starts, spacing_mm) else {
        return Ok(region.clone());
    };
    Ok(assign_to_cores(region, &depth, &core, spacing_mm))
}

/// From `at`, steps to the deepest of the 26 neighbours while that is deeper: the core of the
/// object the click is on, even when the click is near its edge.
fn climb(depth: &[f64], size: [usize; 3], mut at: [usize; 3]) -> [usize; 3] {
    loop {
        let here = depth[flat(at, size)];
        let mut best = (here, at);
        for dk in -1i64..=1 {
            for dj in -1i64..=1 {
                for di in -1i64..=1 {
                    let Some(w) = step(at, [di, dj, dk], size) else {
                        continue;
                    };
                    let d = depth[flat(w, size)];
                    if d > best.0 {
                        best = (d, w);
                    }
                }
            }
        }
        if best.1 == at {
            return at;
        }
        at = best.1;
    }
}

/// The clicks' core (as box-local bits) if a significant neck separates it from another core,
/// else `None` (the region is one object). Every click's own core is part of it.
fn own_core(
    depth: &[f64],
    size: [usize; 3],
    starts: &[[usize; 3]],
    spacing_mm: [f64; 3],
) -> Option<Vec<bool>> {
    let quantum = spacing_mm.iter().copied().fold(f64::INFINITY, f64::min) / 4.0;
    let bucket = |d: f64| -> usize {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "depths are small and positive"
        )]
        let b = (d / quantum) as usize;
        b
    };
    let firsts: Vec<usize> = starts.iter().map(|&s| flat(s, size)).collect();
    let top = firsts.iter().map(|&f| bucket(depth[f])).max().unwrap_or(0);
    let mut queue: Vec<Vec<usize>> = vec![Vec::new(); top + 1];
    let mut seen = vec![false; depth.len()];
    let mut core = vec![false; depth.len()];
    // A click's own core is never "another" core.
    let mut is_start = vec![false; depth.len()];
    for &f in &firsts {
        is_start[f] = true;
        if !seen[f] {
            seen[f] = true;
            queue[bucket(depth[f])].push(f);
        }
    }
    let mut own_peak = firsts.iter().map(|&f| depth[f]).fold(0.0, f64::max);
    for level in (1..=top).rev() {
        let saddle = level as f64 * quantum;
        // The deepest voxel reached through a passage no wider than this level: another core.
        let mut other_peak: f64 = 0.0;
        let mut popped = Vec::new();
        while let Some(o) = queue[level].pop() {
            popped.push(o);
            if depth[o] > saddle + 2.0 * quantum && !is_start[o] {
                other_peak = other_peak.max(depth[o]);
            }
            for w in neighbours6(o, size) {
                if seen[w] || depth[w] <= 0.0 {
                    continue;
                }
                seen[w] = true;
                queue[bucket(depth[w]).min(level)].push(w);
            }
        }
        if other_peak >= PEAK_RATIO * own_peak && saddle < NECK_RATIO * own_peak.min(other_peak) {
            return Some(core);
        }
        own_peak = own_peak.max(other_peak);
        for o in popped {
            core[o] = true;
        }
    }
    None
}

/// Every voxel of `region` that is nearer, along the region, to `core` than to any other
/// core (voxels deeper than the core's rim that the core does not hold).
fn assign_to_cores(region: &Region, depth: &[f64], core: &[bool], spacing_mm: [f64; 3]) -> Region {
    let size = region.size();
    let rim = depth
        .iter()
        .zip(core)
        .filter(|&(_, &c)| c)
        .map(|(&d, _)| d)
        .fold(f64::INFINITY, f64::min);
    // 1: ours, 2: another core's, 0: not yet reached, OUTSIDE: not in the region.
    const OUTSIDE: u8 = 3;
    let mut owner: Vec<u8> = depth
        .iter()
        .zip(core)
        .map(|(&d, &c)| {
            if c {
                1
            } else if d <= 0.0 {
                OUTSIDE
            } else if d >= rim {
                2
            } else {
                0
            }
        })
        .collect();
    // Only cores' voxels beside unreached ones start the race.
    let mut race = Race::default();
    for (o, &who) in owner.iter().enumerate() {
        if matches!(who, 1 | 2) && neighbours6(o, size).any(|w| owner[w] == 0) {
            race.start(who, o);
        }
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "micrometres"
    )]
    let steps = spacing_mm.map(|s| ((s * 1000.0) as u64).max(1));
    let mut level = Vec::new();
    while race.next_level(&mut level) {
        for &(cost, who, o) in &level {
            if owner[o] != 0 && cost > 0 {
                continue;
            }
            owner[o] = who;
            let at = unflat(o, size);
            for (axis, w) in neighbours6_axis(at, size) {
                let wf = flat(w, size);
                if owner[wf] == 0 {
                    race.push(axis, cost + steps[axis], who, wf);
                }
            }
        }
    }
    let mut out = Region::empty_box(region.dims, region.lo, region.hi);
    for (o, &who) in owner.iter().enumerate() {
        if who == 1 {
            let l = unflat(o, size);
            out.insert([0, 1, 2].map(|a| l[a] + region.lo[a]));
        }
    }
    out
}

/// Dijkstra's queue for steps of three lengths (one per axis): entries pushed along one axis
/// arrive in order of cost, so a FIFO per axis replaces a heap. Each cost level is taken whole,
/// ours first, so that at equal cost the clicked object wins.
#[derive(Default)]
struct Race {
    /// (cost in micrometres, owner, cell), per axis of the last step.
    queues: [VecDeque<(u64, u8, usize)>; 3],
}

impl Race {
    fn start(&mut self, who: u8, cell: usize) {
        self.queues[0].push_back((0, who, cell));
    }

    fn push(&mut self, axis: usize, cost: u64, who: u8, cell: usize) {
        self.queues[axis].push_back((cost, who, cell));
    }

    /// Moves the entries of the lowest cost still queued into `level`, ours first; false when
    /// none are left.
    fn next_level(&mut self, level: &mut Vec<(u64, u8, usize)>) -> bool {
        level.clear();
        let Some(cost) = self
            .queues
            .iter()
            .filter_map(|q| q.front())
            .map(|e| e.0)
            .min()
        else {
            return false;
        };
        for queue in &mut self.queues {
            while let Some(&entry) = queue.front().filter(|e| e.0 == cost) {
                level.push(entry);
                queue.pop_front();
            }
        }
        // Only the owner's order matters: a cell's owner is the first to reach it at the
        // lowest cost, and ours first at equal cost.
        level.sort_unstable_by_key(|e| e.1);
        true
    }
}

#[inline]
fn flat(v: [usize; 3], size: [usize; 3]) -> usize {
    v[0] + size[0] * (v[1] + size[1] * v[2])
}

#[inline]
fn unflat(o: usize, size: [usize; 3]) -> [usize; 3] {
    [
        o % size[0],
        (o / size[0]) % size[1],
        o / (size[0] * size[1]),
    ]
}

fn step(at: [usize; 3], by: [i64; 3], size: [usize; 3]) -> Option<[usize; 3]> {
    let mut out = [0; 3];
    for a in 0..3 {
        let v = at[a].checked_add_signed(isize::try_from(by[a]).ok()?)?;
        if v >= size[a] {
            return None;
        }
        out[a] = v;
    }
    Some(out)
}

fn neighbours6_axis(at: [usize; 3], size: [usize; 3]) -> impl Iterator<Item = (usize, [usize; 3])> {
    super::region::face_neighbours(at, size)
}

fn neighbours6(o: usize, size: [usize; 3]) -> impl Iterator<Item = usize> {
    neighbours6_axis(unflat(o, size), size).map(move |(_, w)| flat(w, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two balls of radius `r` joined by a thin rod, in a box.
    fn dumbbell(r: f64, rod: f64) -> Region {
        let dims = [48, 24, 24];
        let mut offsets = Vec::new();
        for k in 0..24 {
            for j in 0..24 {
                for i in 0..48 {
                    let p = [i as f64, j as f64, k as f64];
                    let ball = |c: f64| {
                        (p[0] - c).powi(2) + (p[1] - 12.0).powi(2) + (p[2] - 12.0).powi(2) <= r * r
                    };
                    let in_rod = (p[1] - 12.0).powi(2) + (p[2] - 12.0).powi(2) <= rod * rod
                        && (12.0..=36.0).contains(&p[0]);
                    if ball(12.0) || ball(36.0) || in_rod {
                        offsets.push(i + 48 * (j + 24 * k));
                    }
                }
            }
        }
        Region::from_offsets(dims, &offsets)
    }

    #[test]
    fn a_thin_neck_is_cut_and_a_thick_one_is_not() {
        let thin = dumbbell(9.0, 1.5);
        let cut = cut_at_necks(&thin, &[[10, 12, 12]], [1.0; 3], &RunControl::default()).unwrap();
        assert!(cut.contains([12, 12, 12]) && !cut.contains([36, 12, 12]));
        assert!(cut.len() * 2 < thin.len() + 200 && cut.len() * 3 > thin.len());
        let thick = dumbbell(9.0, 7.5);
        let kept = cut_at_necks(&thick, &[[10, 12, 12]], [1.0; 3], &RunControl::default()).unwrap();
        assert_eq!(kept.len(), thick.len());
        // A click on each ball keeps both.
        let both = cut_at_necks(
            &thin,
            &[[10, 12, 12], [38, 12, 12]],
            [1.0; 3],
            &RunControl::default(),
        )
        .unwrap();
        assert_eq!(both.len(), thin.len());
    }
}
