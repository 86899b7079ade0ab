//! The one door from background work to the GPU. Fetched volumes and labels are written off
//! the UI thread (a large volume takes a while), tagged with the session generation they
//! belong to; the bridge writes only while that generation is still the current one, checked
//! under the same lock a session change takes. A late answer for an old session therefore
//! never paints over the new one.

use std::sync::{Arc, Mutex, PoisonError};

use crate::render::{GpuError, SliceRenderer};
use crate::volume_data::VolumeData;

/// Whether a write reached the GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Written (or there is no GPU, and nothing to write to).
    Done,
    /// Refused: it belongs to a session the viewer has left.
    Stale,
}

/// A handle shared by the UI thread (which moves the generation on) and background tasks.
#[derive(Clone)]
pub struct GpuBridge {
    renderer: Option<SliceRenderer>,
    current: Arc<Mutex<u64>>,
}

impl GpuBridge {
    pub fn new(renderer: Option<SliceRenderer>) -> Self {
        Self {
            renderer,
            current: Arc::new(Mutex::new(0)),
        }
    }

    /// From now on only writes of `generation` go through; waits for a write under way.
    pub fn switch_to(&self, generation: u64) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = generation;
    }

    /// Puts `volume` (of session generation `generation`) on the GPU, with empty labels.
    pub fn volume(&self, generation: u64, volume: &VolumeData) -> Result<Written, GpuError> {
        self.write(generation, |gpu| gpu.upload_volume(volume))
    }

    /// Replaces the labels (`None` clears them).
    pub fn labels(&self, generation: u64, labels: Option<&[u8]>) -> Result<Written, GpuError> {
        self.write(generation, |gpu| gpu.upload_labels(labels))
    }

    fn write(
        &self,
        generation: u64,
        write: impl FnOnce(&SliceRenderer) -> Result<(), GpuError>,
    ) -> Result<Written, GpuError> {
        // Held through the write, so a session change waits for it rather than racing it.
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != generation {
            return Ok(Written::Stale);
        }
        if let Some(gpu) = &self.renderer {
            write(gpu)?;
        }
        Ok(Written::Done)
    }
}
