//! Labels that cannot meet. A label's growers (its own and its exclusions') reach only their
//! regions and their clicks, so labels whose reaches share no voxel, directly or through other
//! labels, compete apart with the same outcome as together. Each such group's outcome depends
//! only on its labels' clicks: it is kept, and a click runs again only its own group's race.

use std::collections::HashMap;
use std::sync::Arc;

use interseg_shared::geometry::VoxelIndex;
use rayon::prelude::*;

use super::LabelClicks;
use super::cache::{Cache, VolumeFingerprint};
use super::compete::{Grower, Outcome, compete};
use crate::segmentation::engine::{EngineError, PromptBox, RunControl, Scan};

/// A group of labels that race apart: their clicks, in one volume.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct GroupKey {
    volume: VolumeFingerprint,
    labels: Vec<LabelKey>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LabelKey {
    label: u8,
    include: Vec<VoxelIndex>,
    exclude: Vec<VoxelIndex>,
    boxes: Vec<PromptBox>,
}

/// The competition among `growers`, run apart for each group of labels that can meet (in
/// parallel), each group's outcome kept in `outcomes` by its labels' clicks. Locked voxels
/// are walls every group's outcome depends on: with any, nothing is kept.
pub(super) fn compete_apart(
    scan: Scan<'_>,
    volume: VolumeFingerprint,
    labels: &[LabelClicks],
    growers: &[Grower],
    outcomes: &Cache<GroupKey, Outcome>,
    control: &RunControl,
) -> Result<Outcome, EngineError> {
    let keep = scan.fixed.is_none();
    let found: Vec<Arc<Outcome>> = groups(growers)
        .into_par_iter()
        .map(|members| {
            let ids: Vec<u8> = members.iter().map(|&g| owner(&growers[g])).collect();
            let key = GroupKey {
                volume,
                labels: labels
                    .iter()
                    .filter(|l| ids.contains(&l.label))
                    .map(|l| LabelKey {
                        label: l.label,
                        include: l.include.clone(),
                        exclude: l.exclude.clone(),
                        boxes: l.boxes.clone(),
                    })
                    .collect(),
            };
            if keep && let Some(outcome) = outcomes.get(&key) {
                return Ok(outcome);
            }
            let members: Vec<Grower> = members.iter().map(|&g| growers[g].clone()).collect();
            let outcome = Arc::new(compete(scan, &members, control)?);
            if keep {
                outcomes.put(key, Arc::clone(&outcome));
            }
            Ok(outcome)
        })
        .collect::<Result<_, EngineError>>()?;
    let mut labelled = Vec::new();
    let mut held_back = Vec::new();
    for outcome in &found {
        labelled.extend_from_slice(&outcome.labelled);
        held_back.extend_from_slice(&outcome.held_back);
    }
    held_back.sort_unstable();
    Ok(Outcome {
        labelled,
        held_back,
    })
}

/// The label a grower grows or holds back.
fn owner(g: &Grower) -> u8 {
    g.against.unwrap_or(g.label)
}

/// The growers (indices into `growers`) of each group of labels that can meet, each group in
/// the order of `growers` (its tie-breaking order), groups in order of their first grower.
pub(super) fn groups(growers: &[Grower]) -> Vec<Vec<usize>> {
    let mut parent: HashMap<u8, u8> = growers.iter().map(|g| (owner(g), owner(g))).collect();
    for (a, first) in growers.iter().enumerate() {
        for second in &growers[a + 1..] {
            let (x, y) = (owner(first), owner(second));
            if find(&parent, x) != find(&parent, y) && meet(first, second) {
                let (rx, ry) = (find(&parent, x), find(&parent, y));
                parent.insert(rx.max(ry), rx.min(ry));
            }
        }
    }
    let mut order: Vec<u8> = Vec::new();
    let mut members: HashMap<u8, Vec<usize>> = HashMap::new();
    for (i, g) in growers.iter().enumerate() {
        let root = find(&parent, owner(g));
        if !members.contains_key(&root) {
            order.push(root);
        }
        members.entry(root).or_default().push(i);
    }
    order
        .into_iter()
        .filter_map(|root| members.remove(&root))
        .collect()
}

fn find(parent: &HashMap<u8, u8>, mut x: u8) -> u8 {
    while let Some(&p) = parent.get(&x).filter(|&&p| p != x) {
        x = p;
    }
    x
}

/// Whether two growers' reaches (their regions and their seeds) share a voxel.
fn meet(a: &Grower, b: &Grower) -> bool {
    let (alo, ahi) = reach_box(a);
    let (blo, bhi) = reach_box(b);
    if (0..3).any(|k| alo[k] >= bhi[k] || blo[k] >= ahi[k]) {
        return false;
    }
    let reaches = |g: &Grower, v: VoxelIndex| g.allowed.contains(v) || g.seeds.contains(&v);
    let seeds_meet =
        a.seeds.iter().any(|&s| reaches(b, s)) || b.seeds.iter().any(|&s| reaches(a, s));
    if seeds_meet {
        return true;
    }
    let (small, large) = if a.allowed.len() <= b.allowed.len() {
        (a, b)
    } else {
        (b, a)
    };
    let dims = small.allowed.dims;
    small
        .allowed
        .offsets()
        .into_iter()
        .any(|o| large.allowed.contains(super::region::index_of(o, dims)))
}

/// The box (`lo..hi`) holding a grower's region and seeds.
fn reach_box(g: &Grower) -> (VoxelIndex, VoxelIndex) {
    let mut lo = if g.allowed.len() > 0 {
        g.allowed.lo
    } else {
        [usize::MAX; 3]
    };
    let mut hi = if g.allowed.len() > 0 {
        g.allowed.hi
    } else {
        [0; 3]
    };
    for s in &g.seeds {
        for k in 0..3 {
            lo[k] = lo[k].min(s[k]);
            hi[k] = hi[k].max(s[k] + 1);
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::segmentation::classical::region::Region;

    fn grower(label: u8, against: Option<u8>, lo: VoxelIndex, hi: VoxelIndex) -> Grower {
        let dims = [20, 20, 20];
        let mut allowed = Region::empty_box(dims, lo, hi);
        for k in lo[2]..hi[2] {
            for j in lo[1]..hi[1] {
                for i in lo[0]..hi[0] {
                    allowed.insert([i, j, k]);
                }
            }
        }
        Grower {
            label,
            against,
            seeds: vec![lo],
            allowed: Arc::new(allowed),
            sigma: 1.0,
        }
    }

    #[test]
    fn labels_that_share_no_voxel_race_apart_and_exclusions_go_with_their_label() {
        let growers = [
            // Label 2's exclusion reaches into label 3's region: 2 and 3 can meet.
            grower(0, Some(2), [10, 10, 10], [13, 13, 13]),
            grower(1, None, [0, 0, 0], [4, 4, 4]),
            grower(2, None, [5, 5, 5], [8, 8, 8]),
            grower(3, None, [12, 12, 12], [16, 16, 16]),
            // Touching label 1's box face to face, sharing no voxel.
            grower(4, None, [4, 0, 0], [6, 4, 4]),
        ];
        assert_eq!(groups(&growers), vec![vec![0, 2, 3], vec![1], vec![4]]);
    }

    #[test]
    fn a_chain_of_overlaps_is_one_group() {
        let growers = [
            grower(1, None, [0, 0, 0], [5, 5, 5]),
            grower(2, None, [4, 4, 4], [9, 9, 9]),
            grower(3, None, [8, 8, 8], [12, 12, 12]),
        ];
        assert_eq!(groups(&growers), vec![vec![0, 1, 2]]);
    }
}
