//! The interface every segmentation engine implements.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// Set from outside to ask a running engine to stop.
#[derive(Clone, Debug, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
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

    /// Segments `volume` for `prompts`. `previous` is the last result, for engines that refine.
    fn segment(
        &self,
        volume: &Volume,
        prompts: &[LabelPrompt],
        previous: Option<&LabelVolume>,
        cancel: &CancelFlag,
    ) -> Result<LabelVolume, EngineError>;
}
