//! Object regions kept between runs: an object's region depends only on the volume and its
//! clicks, so after a correction only the corrected label's region is computed again (and
//! each exclude click's once). Bounded, oldest out first.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use interseg_shared::geometry::VoxelIndex;

use super::object_region::ObjectRegion;
use crate::segmentation::engine::Scan;

/// At most this many regions, and at most this many bytes across them (512 MiB).
const MAX_ENTRIES: usize = 1024;
const MAX_BYTES: usize = 1 << 29;

/// Which volume a region belongs to: its address while alive, its shape and voxel size, and a
/// sample of its values (so a new volume at a freed address never matches).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VolumeFingerprint {
    address: usize,
    dims: [usize; 3],
    spacing_bits: [u64; 3],
    sample: u64,
}

impl VolumeFingerprint {
    pub fn of(scan: Scan<'_>) -> Self {
        let volume = scan.volume;
        let dims = volume.dims();
        let n = dims.iter().product::<usize>().max(1);
        let mut hasher = DefaultHasher::new();
        for s in 0..4096 {
            let o = (s * 2_654_435_761) % n;
            volume
                .value_at_offset(o)
                .map(f64::to_bits)
                .hash(&mut hasher);
        }
        Self {
            address: std::ptr::from_ref(volume) as usize,
            dims,
            spacing_bits: scan.spacing_mm.map(f64::to_bits),
            sample: hasher.finish(),
        }
    }
}

/// An object's clicks (in order: the first click's model matters) in one volume.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClickKey {
    volume: VolumeFingerprint,
    clicks: Vec<VoxelIndex>,
}

impl ClickKey {
    pub fn new(volume: VolumeFingerprint, clicks: &[VoxelIndex]) -> Self {
        Self {
            volume,
            clicks: clicks.to_vec(),
        }
    }
}

#[derive(Debug, Default)]
pub struct RegionCache {
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<ClickKey, Arc<ObjectRegion>>,
    order: VecDeque<ClickKey>,
    bytes: usize,
}

impl RegionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A cache: whatever a panic left in it is still a valid cache.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn get(&self, key: &ClickKey) -> Option<Arc<ObjectRegion>> {
        self.lock().map.get(key).cloned()
    }

    pub fn put(&self, key: ClickKey, region: Arc<ObjectRegion>) {
        let mut entries = self.lock();
        let size = region.footprint();
        if entries.map.insert(key.clone(), region).is_none() {
            entries.order.push_back(key);
            entries.bytes += size;
        }
        while entries.map.len() > MAX_ENTRIES || entries.bytes > MAX_BYTES {
            let Some(old) = entries.order.pop_front() else {
                break;
            };
            if let Some(gone) = entries.map.remove(&old) {
                entries.bytes = entries.bytes.saturating_sub(gone.footprint());
            }
        }
    }
}
