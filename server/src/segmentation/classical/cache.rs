//! Results kept between runs, bounded, oldest out first. An object's region depends only on
//! the volume and its clicks, so after a correction only the corrected label's region is
//! computed again (and each exclude click's once); a competition among labels that touch no
//! other label depends only on their clicks, so it is run again only when one of them changes.

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

/// What a cached value holds, in bytes, for the cache's bound.
pub trait Footprint {
    fn footprint(&self) -> usize;
}

impl Footprint for ObjectRegion {
    fn footprint(&self) -> usize {
        ObjectRegion::footprint(self)
    }
}

/// Object regions by their clicks.
pub type RegionCache = Cache<ClickKey, ObjectRegion>;

#[derive(Debug)]
pub struct Cache<K, V> {
    entries: Mutex<Entries<K, V>>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(Entries {
                map: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
        }
    }
}

#[derive(Debug)]
struct Entries<K, V> {
    map: HashMap<K, Arc<V>>,
    order: VecDeque<K>,
    bytes: usize,
}

impl<K: Clone + Eq + Hash, V: Footprint> Cache<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        // A cache: whatever a panic left in it is still a valid cache.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        self.lock().map.get(key).cloned()
    }

    pub fn put(&self, key: K, region: Arc<V>) {
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
