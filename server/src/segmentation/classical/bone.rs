//! A bone from the inside: in CT, a click in marrow or cancellous bone finds a region walled in
//! by cortex. The bone is that region, the cortex connected to it, and whatever the cortex
//! encloses on each axial slice, as a reader outlining the bone would draw it.

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

use super::holes::fill_holes;
use super::region::{Region, face_neighbours, index_of};
use super::seed_model::value;

/// The region grown through voxels at or above `cortex` (raw intensity), with the holes of
/// every axial slice filled; `None` if that would pass `cap` voxels (the cortex leaked into a
/// skeleton at large).
pub fn bone_around(volume: &Volume, region: &Region, cortex: f32, cap: usize) -> Option<Region> {
    let dims = volume.dims();
    let offset = |v: VoxelIndex| v[0] + dims[0] * (v[1] + dims[1] * v[2]);
    let mut taken = region.offsets();
    let mut seen: std::collections::HashSet<usize> = taken.iter().copied().collect();
    let mut stack = taken.clone();
    while let Some(o) = stack.pop() {
        for (_, w) in face_neighbours(index_of(o, dims), dims) {
            let wo = offset(w);
            if !seen.contains(&wo) && value(volume, w) >= cortex {
                seen.insert(wo);
                taken.push(wo);
                stack.push(wo);
                if taken.len() > cap {
                    return None;
                }
            }
        }
    }
    let grown = Region::from_offsets(dims, &taken);
    // Holes within the grown box, on a local label grid.
    let size = grown.size();
    let mut labels: Vec<u8> = grown.bits().iter().map(|&b| u8::from(b)).collect();
    fill_holes(&mut labels, size, 1, [0; 3], size, &|_| false);
    let filled: Vec<usize> = labels
        .iter()
        .enumerate()
        .filter(|&(_, &l)| l == 1)
        .map(|(i, _)| {
            let v = index_of(i, size);
            offset([0, 1, 2].map(|a| v[a] + grown.lo[a]))
        })
        .collect();
    Some(Region::from_offsets(dims, &filled))
}
