//! Decoded volume bytes held by every session together, against the memory budget.

/// Volume bytes held in memory by all sessions, and the budget they should stay under.
#[derive(Debug, Default)]
pub struct MemoryUse {
    loaded: std::sync::atomic::AtomicUsize,
    /// 0: no budget.
    budget: std::sync::atomic::AtomicUsize,
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

    pub fn over_budget(&self) -> bool {
        self.budget().is_some_and(|b| self.loaded() > b)
    }

    pub(super) fn changed(&self, added: usize, removed: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.loaded.fetch_add(added, Relaxed);
        self.loaded.fetch_sub(removed.min(self.loaded()), Relaxed);
    }
}
