//! The interface every segmentation engine implements.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

/// A volume as an engine sees it: its voxels and their size in millimetres (i, j, k), and
/// the voxels already decided.
#[derive(Clone, Copy, Debug)]
pub struct Scan<'a> {
    pub volume: &'a Volume,
    pub spacing_mm: [f64; 3],
    /// Per voxel (i fastest), a locked label that holds it, or 0: no label may take or grow
    /// through a held voxel. `None`: nothing is locked.
    pub fixed: Option<&'a [u8]>,
}

impl<'a> Scan<'a> {
    /// A scan with the given voxel size; sizes that are not positive and finite count as 1 mm.
    pub fn new(volume: &'a Volume, spacing_mm: [f64; 3]) -> Self {
        let spacing_mm = spacing_mm.map(|s| if s.is_finite() && s > 0.0 { s } else { 1.0 });
        Self {
            volume,
            spacing_mm,
            fixed: None,
        }
    }

    /// The same scan with `fixed` voxels held by locked labels (see [`Scan::fixed`]); ignored
    /// unless it has one entry per voxel.
    #[must_use]
    pub fn with_fixed(self, fixed: &'a [u8]) -> Self {
        Self {
            fixed: (fixed.len() == self.volume.voxel_count()).then_some(fixed),
            ..self
        }
    }

    /// Whether the voxel at `offset` is held by a locked label.
    #[inline]
    pub fn is_fixed(&self, offset: usize) -> bool {
        self.fixed
            .is_some_and(|f| f.get(offset).is_some_and(|&l| l != 0))
    }
}

/// The prompts for one label: the voxels that belong to it and those that do not, and boxes
/// drawn around it (or around what is not it) on one slice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelPrompt {
    /// The label value written into the result (1..=255).
    pub label: u8,
    pub include: Vec<VoxelIndex>,
    pub exclude: Vec<VoxelIndex>,
    pub boxes: Vec<PromptBox>,
}

/// A rectangle drawn on one slice, as voxel corners (inclusive); flat along the slice's axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PromptBox {
    pub lo: VoxelIndex,
    pub hi: VoxelIndex,
    /// True for "the object is in here", false for "nothing in here belongs to it".
    pub include: bool,
}

impl PromptBox {
    pub fn center(&self) -> VoxelIndex {
        [0, 1, 2].map(|a| (self.lo[a] + self.hi[a]) / 2)
    }
}

/// A label volume: one u8 per voxel, in the same (i fastest) order as the input's voxels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelVolume {
    pub dims: [usize; 3],
    pub labels: Vec<u8>,
}

impl LabelVolume {
    pub fn empty(dims: [usize; 3]) -> Self {
        Self {
            dims,
            labels: vec![0; dims[0] * dims[1] * dims[2]],
        }
    }

    /// The label values present, ascending.
    pub fn unique_labels(&self) -> Vec<u8> {
        let mut seen = [false; 256];
        for &l in &self.labels {
            seen[usize::from(l)] = true;
        }
        (0..=255u8).filter(|&l| seen[usize::from(l)]).collect()
    }
}

/// Shared between an engine run and whoever started it: the starter can ask the run to stop,
/// and the run reports how far it has got.
#[derive(Clone, Debug, Default)]
pub struct RunControl {
    cancelled: Arc<AtomicBool>,
    /// Another control whose cancellation also stops this run (the session's, say).
    also_cancelled_by: Option<Arc<AtomicBool>>,
    /// Progress in millionths, so that it fits an atomic.
    progress_millionths: Arc<AtomicU32>,
}

impl RunControl {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
            || self
                .also_cancelled_by
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// This control (same flag, same progress), also stopped when `other` is cancelled.
    pub fn also_cancelled_by(&self, other: &RunControl) -> RunControl {
        RunControl {
            cancelled: Arc::clone(&self.cancelled),
            also_cancelled_by: Some(Arc::clone(&other.cancelled)),
            progress_millionths: Arc::clone(&self.progress_millionths),
        }
    }

    /// Reports progress in 0..=1 (never going back).
    pub fn report(&self, fraction: f32) {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 0..=1e6"
        )]
        let millionths = (fraction.clamp(0.0, 1.0) * 1e6) as u32;
        self.progress_millionths
            .fetch_max(millionths, Ordering::Relaxed);
    }

    /// Progress so far, in 0..=1.
    pub fn progress(&self) -> f32 {
        self.progress_millionths.load(Ordering::Relaxed) as f32 / 1e6
    }
}

/// Why an engine gave no result.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the segmentation was cancelled")]
    Cancelled,
    #[error("prompt at {0:?} lies outside the volume")]
    PromptOutside(VoxelIndex),
    #[error("no prompts to segment")]
    NoPrompts,
    #[error("the model failed: {0}")]
    Model(String),
}

/// A segmentation engine: prompts in, labels out. Labels are listed in priority order: where
/// two labels claim a voxel, the one listed first keeps it.
pub trait Engine: Send + Sync {
    /// A short name for logs and status.
    fn name(&self) -> &'static str;

    /// Whether this engine runs the nnInteractive network (reported by `/api/status`).
    fn is_nninteractive(&self) -> bool {
        false
    }

    /// Whether this engine runs on a CUDA GPU (reported by `/api/status`).
    fn uses_cuda(&self) -> bool {
        false
    }

    /// Segments the scan for `prompts`. `previous` is the last result, for engines that refine.
    fn segment(
        &self,
        scan: Scan<'_>,
        prompts: &[LabelPrompt],
        previous: Option<&LabelVolume>,
        control: &RunControl,
    ) -> Result<LabelVolume, EngineError>;
}
