//! A set of voxels kept as a bit mask over its bounding box, so that membership is a lookup
//! and the cost follows the region, not the volume.

use interseg_shared::geometry::VoxelIndex;

/// Voxels of a volume of `dims`, inside the box `lo..hi`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub dims: [usize; 3],
    pub lo: VoxelIndex,
    pub hi: VoxelIndex,
    bits: Vec<bool>,
    count: usize,
}

impl Region {
    /// The region of the given voxels (volume offsets, i fastest).
    pub fn from_offsets(dims: [usize; 3], offsets: &[usize]) -> Self {
        let mut lo = dims;
        let mut hi = [0; 3];
        for &o in offsets {
            let v = index_of(o, dims);
            for a in 0..3 {
                lo[a] = lo[a].min(v[a]);
                hi[a] = hi[a].max(v[a] + 1);
            }
        }
        if offsets.is_empty() {
            lo = [0; 3];
        }
        let mut region = Self::empty_box(dims, lo, hi);
        for &o in offsets {
            region.insert(index_of(o, dims));
        }
        region
    }

    /// An empty region that may hold voxels of the box `lo..hi`.
    pub fn empty_box(dims: [usize; 3], lo: VoxelIndex, hi: VoxelIndex) -> Self {
        let size = [0, 1, 2].map(|a| hi[a].saturating_sub(lo[a]));
        Self {
            dims,
            lo,
            hi,
            bits: vec![false; size[0] * size[1] * size[2]],
            count: 0,
        }
    }

    /// The region of the box `lo..hi` whose members are `bits` (i fastest within the box).
    pub fn from_bits(dims: [usize; 3], lo: VoxelIndex, hi: VoxelIndex, bits: Vec<bool>) -> Self {
        let count = bits.iter().filter(|&&b| b).count();
        Self {
            dims,
            lo,
            hi,
            bits,
            count,
        }
    }

    /// The box's size along each axis.
    pub fn size(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| self.hi[a].saturating_sub(self.lo[a]))
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// Index into the box's bits, if `v` lies in the box.
    #[inline]
    pub fn local(&self, v: VoxelIndex) -> Option<usize> {
        let size = self.size();
        let mut l = [0; 3];
        for a in 0..3 {
            l[a] = v[a].checked_sub(self.lo[a]).filter(|&x| x < size[a])?;
        }
        Some(l[0] + size[0] * (l[1] + size[1] * l[2]))
    }

    #[inline]
    pub fn contains(&self, v: VoxelIndex) -> bool {
        self.local(v).is_some_and(|l| self.bits[l])
    }

    /// Adds `v` (which must lie in the box; outside it, nothing happens).
    pub fn insert(&mut self, v: VoxelIndex) {
        if let Some(l) = self.local(v)
            && !self.bits[l]
        {
            self.bits[l] = true;
            self.count += 1;
        }
    }

    /// The member voxels as volume offsets, ascending.
    pub fn offsets(&self) -> Vec<usize> {
        let size = self.size();
        let [ni, nj, _] = self.dims;
        let mut out = Vec::with_capacity(self.count);
        for lk in 0..size[2] {
            for lj in 0..size[1] {
                let row = size[0] * (lj + size[1] * lk);
                let base = self.lo[0] + ni * ((self.lo[1] + lj) + nj * (self.lo[2] + lk));
                for li in 0..size[0] {
                    if self.bits[row + li] {
                        out.push(base + li);
                    }
                }
            }
        }
        out
    }

    /// The box's bits (i fastest within the box).
    pub fn bits(&self) -> &[bool] {
        &self.bits
    }
}

/// The (i, j, k) of a volume offset.
#[inline]
pub fn index_of(offset: usize, dims: [usize; 3]) -> VoxelIndex {
    let i = offset % dims[0];
    let rest = offset / dims[0];
    [i, rest % dims[1], rest / dims[1]]
}

/// The 6 face neighbours of `v` inside `dims`, with the axis each step goes along.
#[inline]
pub fn face_neighbours(
    v: VoxelIndex,
    dims: [usize; 3],
) -> impl Iterator<Item = (usize, VoxelIndex)> {
    (0..6).filter_map(move |n| {
        let axis = n / 2;
        let mut w = v;
        if n % 2 == 0 {
            w[axis] = v[axis].checked_sub(1)?;
        } else {
            w[axis] = v[axis] + 1;
            if w[axis] >= dims[axis] {
                return None;
            }
        }
        Some((axis, w))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_and_offsets_round_trip() {
        let dims = [5, 4, 3];
        let offsets = vec![6, 7, 27, 59];
        let r = Region::from_offsets(dims, &offsets);
        assert_eq!(r.len(), 4);
        assert_eq!(r.offsets(), offsets);
        assert!(r.contains(index_of(27, dims)));
        assert!(!r.contains([0, 0, 0]));
        assert!(!r.contains([9, 9, 9]));
        assert_eq!(face_neighbours([0, 0, 0], dims).count(), 3);
        assert_eq!(face_neighbours([2, 2, 1], dims).count(), 6);
    }
}
