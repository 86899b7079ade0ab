//! A segmentation run of a session, start to end: its inputs taken from one moment of the
//! session (volume, prompts, locked labels), the engine on a blocking thread under the
//! server-wide limit on concurrent runs, then the result written and committed, unless a new
//! upload came meanwhile. The original `POST /api/run_segmentation` and jobs share it.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::files::label_voxels;
use super::{Session, SessionError, StoredResult};
use crate::metrics::Metrics;
use crate::segmentation::locks::{fixed_voxels, keep_locked};
use crate::segmentation::{Engine, EngineError, LabelPrompt, LabelVolume, RunControl};
use crate::volume::LoadedVolume;

/// What a run needs from the server.
pub struct Runner<'a> {
    pub engine: &'a Arc<dyn Engine>,
    /// Bounds the runs in flight, so that slice requests stay fast under load.
    pub slots: &'a Semaphore,
    pub metrics: &'a Arc<Metrics>,
}

/// A run did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no volume loaded")]
    NoVolume,
    #[error("no points or prompts to segment")]
    NoPrompts,
    /// A new upload (or a cancel) made the run's result meaningless.
    #[error("the run was superseded")]
    Superseded,
    #[error(transparent)]
    Engine(EngineError),
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The server is shutting down, or a worker thread failed.
    #[error("the run could not go on: {0}")]
    Stopped(String),
}

impl From<EngineError> for RunError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::Cancelled => Self::Superseded,
            EngineError::NoPrompts => Self::NoPrompts,
            other => Self::Engine(other),
        }
    }
}

/// Segments the session's prompts and stores the result. `control` stops it (as does a new
/// upload) and reports progress.
pub async fn segment(
    runner: Runner<'_>,
    session: Arc<Session>,
    control: RunControl,
) -> Result<StoredResult, RunError> {
    let ran = run(runner, Arc::clone(&session), control).await;
    // A run stopped because its session was let go says so, not that a new file came.
    match (ran, session.closing()) {
        (Err(RunError::Superseded), Some(why)) => Err(SessionError::Closed(why).into()),
        (ran, _) => ran,
    }
}

async fn run(
    runner: Runner<'_>,
    session: Arc<Session>,
    control: RunControl,
) -> Result<StoredResult, RunError> {
    let inputs = blocking({
        let session = Arc::clone(&session);
        move || session.run_inputs(&control)
    })
    .await?;
    // Decoding happens before the wait, in parallel with other runs: a queued run holds its
    // volume (memory past the budget), but the engine slots never wait on a decode.
    let waiting = runner.metrics.waiting_for_engine();
    let _slot = runner
        .slots
        .acquire()
        .await
        .map_err(|err| RunError::Stopped(err.to_string()))?;
    drop(waiting);
    let engine = Arc::clone(runner.engine);
    let started = std::time::Instant::now();
    let (inputs, labels) = blocking(move || {
        let labels = inputs.segment(engine.as_ref())?;
        Ok((inputs, labels))
    })
    .await?;
    runner
        .metrics
        .observe_segmentation(started.elapsed().as_secs_f64());
    blocking(move || session.store_result(&inputs, &labels)).await
}

/// Runs blocking work off the runtime's threads.
async fn blocking<R, F>(work: F) -> Result<R, RunError>
where
    F: FnOnce() -> Result<R, RunError> + Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| RunError::Stopped(err.to_string()))?
}

/// A run's inputs, all from one moment of the session.
struct RunInputs {
    loaded: Arc<LoadedVolume>,
    /// Prompts of the labels not locked.
    prompts: Vec<LabelPrompt>,
    locks: Option<Locks>,
    /// The volume's generation: a run on a volume replaced since is refused when it commits.
    generation: u64,
    control: RunControl,
}

/// The locked labels of a run, and the voxels they hold in the latest result.
struct Locks {
    fixed: Vec<u8>,
    locked: Vec<u8>,
}

impl RunInputs {
    /// The engine's labels, with locked labels' voxels kept as they were. Blocking.
    fn segment(&self, engine: &dyn Engine) -> Result<LabelVolume, RunError> {
        let scan = self.loaded.scan();
        let Some(Locks { fixed, locked }) = &self.locks else {
            return Ok(engine.segment(scan, &self.prompts, None, &self.control)?);
        };
        let mut labels = if self.prompts.is_empty() {
            LabelVolume::empty(scan.volume.dims())
        } else {
            engine.segment(scan.with_fixed(fixed), &self.prompts, None, &self.control)?
        };
        keep_locked(&mut labels.labels, fixed, locked);
        Ok(labels)
    }
}

impl Session {
    /// What a run needs, decoding the volume if needed. Blocking.
    fn run_inputs(&self, control: &RunControl) -> Result<RunInputs, RunError> {
        let loaded = self.volume()?.ok_or(RunError::NoVolume)?;
        let (meta, generation, control) = {
            let state = self.lock();
            let control = control.also_cancelled_by(&state.cancel_flag());
            (state.meta.clone(), state.generation(), control)
        };
        let mut prompts = meta.label_prompts();
        // A locked label is finished: its prompts have nothing left to do.
        prompts.retain(|p| !meta.locked.contains(&p.label));
        let locks = self.locked_voxels(&meta.locked)?;
        if prompts.is_empty() && locks.is_none() {
            return Err(RunError::NoPrompts);
        }
        Ok(RunInputs {
            loaded,
            prompts,
            locks,
            generation,
            control,
        })
    }

    /// The voxels the locked labels hold in the latest result, if any are locked. Blocking.
    fn locked_voxels(&self, locked: &[u8]) -> Result<Option<Locks>, RunError> {
        if locked.is_empty() {
            return Ok(None);
        }
        let previous = match self.result_labels() {
            Ok(previous) => previous,
            // The result went away (a new upload): its locks went with it.
            Err(SessionError::NoResult) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        Ok(Some(Locks {
            fixed: fixed_voxels(label_voxels(&previous)?, locked),
            locked: locked.to_vec(),
        }))
    }

    /// Writes the result's files and records them as the session's result. Blocking.
    fn store_result(
        &self,
        inputs: &RunInputs,
        labels: &LabelVolume,
    ) -> Result<StoredResult, RunError> {
        let result = self.write_result(
            &inputs.loaded,
            labels,
            self.take_revision(),
            self.lock().meta.naming,
        )?;
        if !self.commit_result(inputs.generation, &result)? {
            return Err(RunError::Superseded);
        }
        Ok(result)
    }
}
