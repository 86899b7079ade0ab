//! Decoded volume bytes held by every session together, against the memory budget.

/// Volume bytes held in memory by all sessions, and the budget they should stay under.
#[derive(Debug, Default)]
pub struct MemoryUse {
    loaded: std::sync::atomic::AtomicUsize,
    /// 0: no budget.
    budget: std::sync::atomic::AtomicUsize,
    /// The largest volume decoded so far: the room kept free for the next decode.
    largest: std::sync::atomic::AtomicUsize,
}

impl MemoryUse {
    pub fn loaded(&self) -> usize {
        self.loaded.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn budget(&self) -> Option<usize> {
        Some(self.budget.load(std::sync::atomic::Ordering::Relaxed)).filter(|&b| b > 0)
    }

    pub fn set_budget(&self, bytes: usize) {
        self.budget
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    /// What the held volumes are brought back under: the budget less room for one more
    /// volume as large as the largest yet. A volume is decoded before others are let go, so
    /// without that room the process would pass its budget by one volume at every decode.
    pub fn limit(&self) -> Option<usize> {
        let largest = self.largest.load(std::sync::atomic::Ordering::Relaxed);
        self.budget().map(|b| b.saturating_sub(largest))
    }

    pub fn over_budget(&self) -> bool {
        self.limit().is_some_and(|l| self.loaded() > l)
    }

    pub(super) fn changed(&self, added: usize, removed: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.largest.fetch_max(added, Relaxed);
        self.loaded.fetch_add(added, Relaxed);
        self.loaded.fetch_sub(removed.min(self.loaded()), Relaxed);
    }
}
