//! Sessions: each one's state (volume, points, results) in memory and on disk.
//!
//! A session lives in its own folder under the data dir: `meta.json` (everything but the
//! voxels, rewritten atomically on each change), the uploaded volume file and the latest
//! results. The decoded volume is a cache, rebuilt from the file after a restart.

mod disk;
mod engine_input;
pub mod files;
pub mod jobs;
mod memory;
mod meta;
pub mod points;
pub mod private;
pub mod prompts;
pub mod run;
pub mod store;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use interseg_shared::ids::SessionId;
use tokio::time::Instant;

pub use self::jobs::{JobStatus, Jobs};
pub use self::memory::MemoryUse;
pub use self::meta::{SessionMeta, StoredResult, StoredVolume};
pub use self::points::{ClickView, MarkError, Point, PointSet};
pub use self::prompts::{Prompt, PromptLog, PromptShape, SliceRect};
pub use self::store::{SessionStore, StoreError};
use crate::segmentation::RunControl;
use crate::volume::{LoadError, LoadLimits, LoadedVolume, VolumeFormat};

use self::files::{META_FILE, remove_result_files};

/// A session's mutable state, behind the session's mutex.
#[derive(Debug)]
pub struct SessionState {
    pub meta: SessionMeta,
    /// The decoded volume, if loaded since the last start.
    volume: Option<Arc<LoadedVolume>>,
    /// Bumped when the volume is replaced, so that work started on the old one is discarded.
    generation: u64,
    /// Bumped on every change of `meta`: which snapshot of it is newest.
    change: u64,
    /// A request came since the metadata was last written: its `last_activity` on disk is
    /// behind (see [`Session::flush_activity`]).
    active_since_written: bool,
    /// Cancels engine work on the current volume.
    cancel: RunControl,
    pub jobs: Jobs,
}

impl SessionState {
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn cancel_flag(&self) -> RunControl {
        self.cancel.clone()
    }
}

/// One user's session. Its state sits behind a std mutex that is only ever held briefly
/// (never across an await, never while decoding or segmenting), so sessions never wait on
/// each other and a session's slow work never blocks its own quick requests.
#[derive(Debug)]
pub struct Session {
    pub id: SessionId,
    dir: PathBuf,
    limits: LoadLimits,
    state: Mutex<SessionState>,
    /// Last request, on tokio's clock so that expiry can be tested with paused time.
    last_seen: Mutex<Instant>,
    /// The store's count of volume bytes held, kept up to date by every load and unload.
    memory: Arc<MemoryUse>,
    /// The change whose metadata is on disk. Held while writing it: writes happen outside the
    /// state's lock, one at a time, and an older snapshot never overwrites a newer one.
    written: Mutex<u64>,
    /// Let go of (deleted, or another node holds it now): nothing may be written any more.
    /// Set under `written`, so that once set no write is under way either.
    closed: Mutex<Option<Closing>>,
}

/// Why a session was let go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// Deleted, by request or by expiry.
    Deleted,
    /// Another node of the cluster holds it now.
    Moved,
}

/// Whether a change must survive a power cut once it is acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Synced to the disk before the answer: points, prompts, results, settings.
    Durable,
    /// Written, not synced: the slice being looked at (lost at worst on a power cut).
    Buffered,
}

/// Session work failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("could not store the session: {0}")]
    Io(#[from] io::Error),
    #[error("could not encode the session's metadata: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("no segmentation yet")]
    NoResult,
    #[error("the stored result is unreadable: {0}")]
    ResultUnreadable(String),
    #[error("writing the label volume failed: {0}")]
    Export(String),
    /// The session was let go while this request worked on it (deleted, or taken over by
    /// another node of a cluster): nothing of it was written.
    #[error("the session was closed while this request ran ({0:?})")]
    Closed(Closing),
}

impl Session {
    fn new(
        id: SessionId,
        dir: PathBuf,
        limits: LoadLimits,
        meta: SessionMeta,
        last_seen: Instant,
        memory: Arc<MemoryUse>,
    ) -> Self {
        Self {
            id,
            dir,
            limits,
            state: Mutex::new(SessionState {
                meta,
                volume: None,
                generation: 0,
                change: 0,
                active_since_written: false,
                cancel: RunControl::default(),
                jobs: Jobs::default(),
            }),
            last_seen: Mutex::new(last_seen),
            memory,
            written: Mutex::new(0),
            closed: Mutex::new(None),
        }
    }

    /// Replaces the decoded volume held, counting the bytes.
    fn hold(&self, state: &mut SessionState, volume: Option<Arc<LoadedVolume>>) {
        let bytes =
            |v: &Option<Arc<LoadedVolume>>| v.as_ref().map_or(0, |v| v.volume.stored_bytes());
        self.memory.changed(bytes(&volume), bytes(&state.volume));
        state.volume = volume;
    }

    /// Lets go of the decoded volume (it is decoded again from disk when next needed);
    /// returns the bytes freed. Work in flight keeps its own reference until it ends.
    pub fn unload(&self) -> usize {
        let mut state = self.lock();
        let freed = state.volume.as_ref().map_or(0, |v| v.volume.stored_bytes());
        self.hold(&mut state, None);
        freed
    }

    /// The session's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Locks the state. A panic while it was held cannot leave it half-written for longer
    /// than one request (every change is validated before it is applied), so a poisoned lock
    /// is taken over rather than propagated.
    pub fn lock(&self) -> MutexGuard<'_, SessionState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a request now.
    pub fn touch(&self) {
        *self
            .last_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
        let mut state = self.lock();
        state.meta.last_activity = Utc::now();
        state.active_since_written = true;
    }

    /// Writes the metadata if requests came since it was last written, so that what is on
    /// disk says when the session was last used (for another node that takes it over, or
    /// expires it, after this one died). Blocking.
    pub fn flush_activity(&self) -> Result<(), SessionError> {
        if !self.lock().active_since_written {
            return Ok(());
        }
        self.update(Durability::Buffered, |_| Ok::<_, SessionError>(()))
    }

    pub fn last_seen(&self) -> Instant {
        *self
            .last_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of the metadata.
    pub fn meta(&self) -> SessionMeta {
        self.lock().meta.clone()
    }

    /// Applies `change` to the state and writes the metadata. `change` must check everything
    /// before it changes anything. On any `Err` the state is as it was (unless a later change
    /// came while the write failed: that one's own write then stores both). Blocking.
    pub fn update<R, E>(
        &self,
        durability: Durability,
        change: impl FnOnce(&mut SessionState) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<SessionError>,
    {
        let (answer, before, snapshot) = {
            let mut state = self.lock();
            let before = state.meta.clone();
            let answer = change(&mut state)?;
            (answer, before, Self::snapshot(&mut state))
        };
        if let Err(err) = self.persist(&snapshot, durability) {
            let mut state = self.lock();
            if state.change == snapshot.0 {
                state.meta = before;
            }
            // Not written: when the session was last used is still to be written down.
            state.active_since_written = true;
            return Err(E::from(err));
        }
        Ok(answer)
    }

    /// The metadata as changed now, numbered, to write outside the lock.
    fn snapshot(state: &mut SessionState) -> (u64, SessionMeta) {
        state.change += 1;
        state.active_since_written = false;
        (state.change, state.meta.clone())
    }

    /// Writes a snapshot of the metadata, unless a newer one is on disk already.
    fn persist(
        &self,
        (change, meta): &(u64, SessionMeta),
        durability: Durability,
    ) -> Result<(), SessionError> {
        let bytes = serde_json::to_vec_pretty(meta)?;
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.ensure_open()?;
        if *written >= *change {
            return Ok(());
        }
        disk::write_atomic(
            &self.dir.join(META_FILE),
            &bytes,
            durability == Durability::Durable,
        )?;
        *written = *change;
        Ok(())
    }

    /// Fails once the session was let go: see [`Session::shut_down`].
    pub(super) fn ensure_open(&self) -> Result<(), SessionError> {
        match self.closing() {
            Some(why) => Err(SessionError::Closed(why)),
            None => Ok(()),
        }
    }

    /// Why the session was let go, if it was.
    pub fn closing(&self) -> Option<Closing> {
        *self
            .closed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new revision: a source of file names never used before in this session.
    pub fn take_revision(&self) -> u64 {
        // Not written now: the change that records a file named from it writes it too, and an
        // unrecorded file whose name is reused after a crash is one nothing refers to.
        self.lock().meta.take_revision()
    }

    /// The decoded volume, decoding it from disk if needed (after a restart). Blocking.
    /// Bytes of voxels this session holds in memory now (0 when its volume is not loaded).
    pub fn loaded_bytes(&self) -> usize {
        self.lock()
            .volume
            .as_ref()
            .map_or(0, |v| v.volume.stored_bytes())
    }

    pub fn volume(&self) -> Result<Option<Arc<LoadedVolume>>, SessionError> {
        let (file, generation) = {
            let state = self.lock();
            if let Some(volume) = &state.volume {
                return Ok(Some(Arc::clone(volume)));
            }
            let Some(stored) = &state.meta.volume else {
                return Ok(None);
            };
            (stored.file.clone(), state.generation)
        };
        // Decode without the lock; keep the result only if no new upload came meanwhile.
        let format = VolumeFormat::from_filename(&file).ok_or(LoadError::NotNifti(
            "the stored volume's file name has no known extension",
        ))?;
        let loaded = Arc::new(crate::volume::load(
            &self.dir.join(file),
            format,
            self.limits,
        )?);
        let mut state = self.lock();
        if state.generation == generation {
            self.hold(&mut state, Some(Arc::clone(&loaded)));
        }
        Ok(Some(loaded))
    }

    /// Makes `loaded`, decoded from `upload` (a file in the session folder), the session's
    /// volume: clears points and results, cancels engine work on the old volume. Blocking.
    pub fn replace_volume(
        &self,
        upload: &Path,
        filename: &str,
        format: VolumeFormat,
        loaded: LoadedVolume,
    ) -> Result<StoredVolume, SessionError> {
        self.ensure_open()?;
        let (stored, before, snapshot) = {
            let mut state = self.lock();
            let file = files::volume_file(state.meta.take_revision(), format);
            fs::rename(upload, self.dir.join(&file))?;
            let stored = StoredVolume {
                file,
                filename: filename.to_owned(),
                file_type: format.file_type(),
                shape: loaded.volume.dims(),
                data_range: loaded.data_range,
            };
            let before = state.meta.clone();
            state.meta.volume = Some(stored.clone());
            state.meta.points.clear();
            state.meta.prompts.reset();
            state.meta.result = None;
            // Locks hold voxels of the old volume's result.
            state.meta.locked.clear();
            state.meta.current_slice = 0;
            state.cancel.cancel();
            state.cancel = RunControl::default();
            state.generation += 1;
            self.hold(&mut state, Some(Arc::new(loaded)));
            (stored, before, Self::snapshot(&mut state))
        };
        if let Err(err) = self.persist(&snapshot, Durability::Durable) {
            let mut state = self.lock();
            if state.change == snapshot.0 {
                // The old volume again, decoded from its file when next needed.
                state.meta = before;
                state.generation += 1;
                self.hold(&mut state, None);
                drop(state);
                disk::remove_if_present(&self.dir.join(&stored.file)).ok();
            }
            return Err(err);
        }
        // The old files are unreferenced now; a failure to delete them loses nothing.
        if let Some(old) = before.volume {
            disk::remove_if_present(&self.dir.join(old.file)).ok();
        }
        if let Some(old) = before.result {
            remove_result_files(&self.dir, &old);
        }
        Ok(stored)
    }

    /// Records a new result whose files are already written, if the volume is still the one it
    /// was computed on; returns false (and deletes the files) otherwise. Blocking.
    pub fn commit_result(
        &self,
        generation: u64,
        result: &StoredResult,
    ) -> Result<bool, SessionError> {
        let (old, snapshot) = {
            let mut state = self.lock();
            if state.generation != generation {
                drop(state);
                remove_result_files(&self.dir, result);
                return Ok(false);
            }
            let old = state.meta.result.replace(result.clone());
            (old, Self::snapshot(&mut state))
        };
        if let Err(err) = self.persist(&snapshot, Durability::Durable) {
            let mut state = self.lock();
            if state.change == snapshot.0 {
                state.meta.result = old;
                drop(state);
                remove_result_files(&self.dir, result);
            }
            return Err(err);
        }
        if let Some(old) = old {
            remove_result_files(&self.dir, &old);
        }
        Ok(true)
    }

    /// Lets the session go (it is deleted, or another node holds it now): stops engine work,
    /// forgets the decoded volume, refuses results still to come, and writes nothing more.
    fn shut_down(&self, why: Closing) {
        {
            let _no_write_under_way = self
                .written
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *self
                .closed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(why);
        }
        let mut state = self.lock();
        state.cancel.cancel();
        state.generation += 1;
        self.hold(&mut state, None);
    }
}
