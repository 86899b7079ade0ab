//! The one owner of all sessions: create, find, list, delete, expire, and reopen after a
//! restart.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use interseg_shared::ids::SessionId;
use tokio::time::Instant;

use super::files::{META_FILE, is_partial_upload};
use super::{Closing, Durability, MemoryUse, Session, SessionError, SessionMeta, private};
use crate::volume::LoadLimits;

/// A session folder being deleted is first renamed to this prefix.
const DELETING: &str = ".deleting-";

/// Where startup moves session folders it cannot read (never a session id, so never reopened).
pub const QUARANTINE_DIR: &str = "quarantine";

/// The store could not do its work on disk.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not use the sessions folder {}: {source}", path.display())]
    Folder { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The store holds as many sessions as it may.
    #[error("this server holds its maximum of {max} sessions")]
    Full { max: usize },
}

/// A cheap-to-clone handle on every session. The map sits behind a std mutex held only to
/// look up, insert or remove an entry; each session has its own lock for its state.
#[derive(Clone, Debug)]
pub struct SessionStore {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    root: PathBuf,
    limits: LoadLimits,
    timeout: Duration,
    /// The most sessions held at once; set once at startup (see [`SessionStore::limit_to`]).
    max_sessions: AtomicUsize,
    sessions: Mutex<HashMap<SessionId, Arc<Session>>>,
    memory: Arc<MemoryUse>,
}

impl SessionStore {
    /// Opens the store in `root`, taking back every session found there. Startup never
    /// deletes user data: a session that expired while the server was down gets a fresh idle
    /// clock, and a folder whose metadata cannot be read is moved aside into
    /// [`QUARANTINE_DIR`] and logged. Blocking.
    pub fn open(root: &Path, limits: LoadLimits, timeout: Duration) -> Result<Self, StoreError> {
        let folder_error = |source| StoreError::Folder {
            path: root.to_path_buf(),
            source,
        };
        private::create_dir(root).map_err(folder_error)?;
        let mut sessions = HashMap::new();
        let memory = Arc::new(MemoryUse::default());
        for entry in fs::read_dir(root).map_err(folder_error)? {
            let entry = entry.map_err(folder_error)?;
            // A deletion a crash cut short: the user asked for it.
            if entry.file_name().to_string_lossy().starts_with(DELETING) {
                remove_tree(&entry.path());
                continue;
            }
            let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<SessionId>().ok())
            else {
                continue;
            };
            match reopen(id, &entry.path(), limits, timeout, Arc::clone(&memory)) {
                Ok(session) => {
                    // Folders written by older versions followed the umask.
                    if let Err(err) = private::restrict_dir(&entry.path()) {
                        tracing::warn!(%id, %err, "could not make the session folder private");
                    }
                    sessions.insert(id, Arc::new(session));
                }
                Err(why) => quarantine(root, id, &entry.path(), &why),
            }
        }
        tracing::info!(sessions = sessions.len(), root = %root.display(), "session store opened");
        Ok(Self {
            shared: Arc::new(Shared {
                root: root.to_path_buf(),
                limits,
                timeout,
                max_sessions: AtomicUsize::new(usize::MAX),
                sessions: Mutex::new(sessions),
                memory,
            }),
        })
    }

    /// Opens the store in `root` shared with other nodes of a cluster: it takes back no
    /// session now (each has an owner, and is reopened by [`SessionStore::adopt`] when this
    /// node takes it over). Blocking.
    pub fn open_shared(
        root: &Path,
        limits: LoadLimits,
        timeout: Duration,
    ) -> Result<Self, StoreError> {
        private::create_dir(root).map_err(|source| StoreError::Folder {
            path: root.to_path_buf(),
            source,
        })?;
        Ok(Self {
            shared: Arc::new(Shared {
                root: root.to_path_buf(),
                limits,
                timeout,
                max_sessions: AtomicUsize::new(usize::MAX),
                sessions: Mutex::new(HashMap::new()),
                memory: Arc::new(MemoryUse::default()),
            }),
        })
    }

    /// Takes session `id` back from its folder (this node now holds its lease); `None` when
    /// it has no folder. A folder whose metadata cannot be read is moved aside, as at
    /// startup. Blocking.
    pub fn adopt(&self, id: SessionId) -> Result<Option<Arc<Session>>, StoreError> {
        if let Some(session) = self.get(id) {
            return Ok(Some(session));
        }
        let dir = self.shared.root.join(id.to_string());
        match fs::metadata(dir.join(META_FILE)) {
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound && !dir.is_dir() => {
                return Ok(None);
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            // The shared disk failing now is no reason to set the session aside.
            Err(source) => return Err(StoreError::Folder { path: dir, source }),
        }
        let memory = Arc::clone(&self.shared.memory);
        match reopen(id, &dir, self.shared.limits, self.shared.timeout, memory) {
            Ok(session) => {
                let session = Arc::new(session);
                let kept = Arc::clone(self.map().entry(id).or_insert(session));
                Ok(Some(kept))
            }
            Err(why) => {
                quarantine(&self.shared.root, id, &dir, &why);
                Ok(None)
            }
        }
    }

    /// Lets go of session `id` without touching its files (another node holds it now). Work
    /// in flight on it is cancelled.
    pub fn release(&self, id: SessionId) {
        if let Some(session) = self.map().remove(&id) {
            session.shut_down(Closing::Moved);
        }
    }

    /// The ids of the sessions held.
    pub fn ids(&self) -> Vec<SessionId> {
        self.map().keys().copied().collect()
    }

    /// How long session `id` has been idle by its files (`None`: no such folder or no
    /// readable metadata). For sessions this node does not hold. Blocking.
    pub fn idle_on_disk(&self, id: SessionId) -> Option<Duration> {
        let dir = self.shared.root.join(id.to_string());
        let bytes = fs::read(dir.join(META_FILE)).ok()?;
        let meta: SessionMeta = serde_json::from_slice(&bytes).ok()?;
        Some(
            (Utc::now() - meta.last_activity)
                .to_std()
                .unwrap_or_default(),
        )
    }

    /// The ids of the session folders on disk. Blocking.
    pub fn folder_ids(&self) -> Vec<SessionId> {
        let Ok(entries) = fs::read_dir(&self.shared.root) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect()
    }

    /// The metadata of session `id` as its files hold it, for a session this node does not
    /// hold (a listing). Blocking.
    pub fn meta_on_disk(&self, id: SessionId) -> Option<SessionMeta> {
        let bytes = fs::read(self.shared.root.join(id.to_string()).join(META_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Deletes the folder of a session this node does not hold in memory (it holds its
    /// lease). Blocking.
    pub fn remove_folder_of(&self, id: SessionId) {
        remove_folder(&self.shared.root, &self.shared.root.join(id.to_string()));
    }

    fn map(&self) -> MutexGuard<'_, HashMap<SessionId, Arc<Session>>> {
        // Map operations cannot leave it inconsistent, so a poisoned lock is taken over.
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn timeout(&self) -> Duration {
        self.shared.timeout
    }

    /// Holds at most `max` sessions: creating more fails with [`StoreError::Full`]. Sessions
    /// already held (reopened at startup) are kept whatever their number.
    pub fn limit_to(&self, max: usize) {
        self.shared.max_sessions.store(max, Ordering::Relaxed);
    }

    fn full(&self, held: usize) -> Option<StoreError> {
        let max = self.shared.max_sessions.load(Ordering::Relaxed);
        (held >= max).then_some(StoreError::Full { max })
    }

    /// A new, empty session, already on disk. Blocking.
    pub fn create(&self) -> Result<Arc<Session>, StoreError> {
        if let Some(full) = self.full(self.len()) {
            return Err(full);
        }
        let id = SessionId::new_random();
        let dir = self.shared.root.join(id.to_string());
        private::create_dir(&dir).map_err(|source| StoreError::Folder {
            path: dir.clone(),
            source,
        })?;
        let session = Session::new(
            id,
            dir,
            self.shared.limits,
            SessionMeta::new(Utc::now()),
            Instant::now(),
            Arc::clone(&self.shared.memory),
        );
        session.update(Durability::Durable, |_| Ok::<_, SessionError>(()))?;
        let session = Arc::new(session);
        {
            // Checked again where it counts: concurrent creations may have filled the store.
            let mut map = self.map();
            if let Some(full) = self.full(map.len()) {
                drop(map);
                if let Err(err) = fs::remove_dir_all(session.dir()) {
                    tracing::warn!(%err, "could not remove the folder of a refused session");
                }
                return Err(full);
            }
            map.insert(id, Arc::clone(&session));
        }
        tracing::info!(session = %id.short(), "session created");
        Ok(session)
    }

    pub fn get(&self, id: SessionId) -> Option<Arc<Session>> {
        self.map().get(&id).cloned()
    }

    /// Every session, oldest first.
    pub fn list(&self) -> Vec<Arc<Session>> {
        let mut all: Vec<Arc<Session>> = self.map().values().cloned().collect();
        all.sort_by_cached_key(|s| (s.meta().created_at, s.id));
        all
    }

    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.map().is_empty()
    }

    /// Deletes a session and its folder; false if there was none. Blocking.
    pub fn remove(&self, id: SessionId) -> bool {
        let Some(session) = self.map().remove(&id) else {
            return false;
        };
        session.shut_down(Closing::Deleted);
        remove_folder(&self.shared.root, session.dir());
        tracing::info!(session = %id.short(), "session deleted");
        true
    }

    /// Volume bytes held in memory, and the budget.
    pub fn memory(&self) -> &MemoryUse {
        &self.shared.memory
    }

    /// Over the memory budget (less room for the next decode, [`MemoryUse::limit`]), lets go
    /// of the decoded volumes of the sessions used least recently (never `keep`'s) until back
    /// under it; they are decoded again from disk when next needed. Returns the bytes freed.
    /// Blocking (it takes each session's lock briefly).
    pub fn enforce_memory_budget(&self, keep: SessionId) -> usize {
        let memory = &self.shared.memory;
        let Some(limit) = memory.limit() else {
            return 0;
        };
        if memory.loaded() <= limit {
            return 0;
        }
        let mut held: Vec<(Instant, Arc<Session>)> = self
            .map()
            .values()
            .filter(|s| s.id != keep && s.loaded_bytes() > 0)
            .map(|s| (s.last_seen(), Arc::clone(s)))
            .collect();
        held.sort_by_key(|(seen, _)| *seen);
        let mut freed = 0;
        for (_, session) in held {
            if memory.loaded() <= limit {
                break;
            }
            freed += session.unload();
            tracing::debug!(session = %session.id.short(), "volume unloaded: memory budget");
        }
        freed
    }

    /// Writes down when each session was last used, where requests came since its metadata
    /// was last written. Blocking.
    pub fn flush_activity(&self) {
        let sessions: Vec<Arc<Session>> = self.map().values().cloned().collect();
        for session in sessions {
            if let Err(err) = session.flush_activity() {
                tracing::warn!(session = %session.id.short(), "could not record activity: {err}");
            }
        }
    }

    /// Deletes every session idle for longer than the timeout; returns their ids. Blocking.
    pub fn purge_expired(&self) -> Vec<SessionId> {
        let now = Instant::now();
        let expired: Vec<SessionId> = self
            .map()
            .values()
            .filter(|s| now.saturating_duration_since(s.last_seen()) > self.shared.timeout)
            .map(|s| s.id)
            .collect();
        expired.into_iter().filter(|&id| self.remove(id)).collect()
    }
}

/// Expires idle sessions every `period` until the task is dropped.
pub async fn run_expiry(store: SessionStore, period: Duration) {
    loop {
        tokio::time::sleep(period).await;
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.purge_expired().len()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "expired idle sessions"),
            Err(err) => tracing::error!("session expiry failed: {err}"),
        }
    }
}

/// Reads back a session folder, or says why it cannot be read.
fn reopen(
    id: SessionId,
    dir: &Path,
    limits: LoadLimits,
    timeout: Duration,
    memory: Arc<MemoryUse>,
) -> Result<Session, String> {
    let bytes = fs::read(dir.join(META_FILE)).map_err(|err| format!("no metadata ({err})"))?;
    let meta: SessionMeta =
        serde_json::from_slice(&bytes).map_err(|err| format!("unreadable metadata ({err})"))?;
    let idle = (Utc::now() - meta.last_activity)
        .to_std()
        .unwrap_or_default();
    // Expired while the server was down: the user gets a full timeout from now rather than
    // losing the session to a restart.
    let idle = if idle > timeout { Duration::ZERO } else { idle };
    let now = Instant::now();
    let last_seen = now.checked_sub(idle).unwrap_or(now);
    remove_partial_uploads(dir);
    Ok(Session::new(
        id,
        dir.to_path_buf(),
        limits,
        meta,
        last_seen,
        memory,
    ))
}

/// Deletes what uploads cut short by a crash left behind: `.part` files were never accepted,
/// so nothing of the user's is lost, and they would otherwise fill the disk.
fn remove_partial_uploads(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if is_partial_upload(&path) {
            // Unaccepted bytes: failing to delete them loses nothing.
            super::disk::remove_if_present(&path).ok();
        }
    }
}

/// Moves an unreadable session folder out of the way, keeping every file in it for a person
/// to look at. If even that fails, the folder stays where it is (and is skipped).
fn quarantine(root: &Path, id: SessionId, dir: &Path, why: &str) {
    let target_dir = root.join(QUARANTINE_DIR);
    let target = target_dir.join(format!("{id}-{}", Utc::now().format("%Y%m%dT%H%M%S%.f")));
    match private::create_dir(&target_dir).and_then(|()| fs::rename(dir, &target)) {
        Ok(()) => tracing::error!(
            session = %id.short(),
            "session not reopened: {why}; its files were kept in {}",
            target.display()
        ),
        Err(err) => tracing::error!(
            session = %id.short(),
            "session not reopened: {why}; could not move it aside ({err}), left in {}",
            dir.display()
        ),
    }
}

/// Deletes a session folder: first moved aside in one step (a node reopening the session
/// meanwhile finds all of it or nothing), then removed.
fn remove_folder(root: &Path, dir: &Path) {
    let aside = root.join(format!("{DELETING}{}", uuid::Uuid::new_v4().simple()));
    let dir = match fs::rename(dir, &aside) {
        Ok(()) => aside.as_path(),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return,
        Err(_) => dir,
    };
    remove_tree(dir);
}

fn remove_tree(dir: &Path) {
    if let Err(err) = fs::remove_dir_all(dir)
        && err.kind() != io::ErrorKind::NotFound
    {
        tracing::warn!("could not delete session folder {}: {err}", dir.display());
    }
}

#[cfg(test)]
mod tests;
