//! Running the segmentation: the session's points go to the engine on a blocking thread,
//! under the server-wide limit on concurrent runs; the result is written beside the session.

use std::sync::Arc;

use axum::extract::State;
use axum::{Extension, Json};
use interseg_shared::api::segmentation::RunSegmentationResponse;
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::downloads::{label_voxels, stored_labels};
use super::extract::SessionHeader;
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::segmentation::locks::{fixed_voxels, keep_locked};
use crate::segmentation::{LabelVolume, RunControl};
use crate::session::{Session, StoredResult, private};
use crate::state::AppState;
use crate::volume::LoadedVolume;
use crate::volume::export::{label_description, write_label_nifti};

/// Where the result is downloaded from (the original answered a path on its own disk).
pub(super) const DOWNLOAD_PATH: &str = "/api/download/segmentation";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(run_segmentation))
}

/// Segments one object per point (its label is its number; where two objects claim a voxel,
/// the point marked earlier keeps it) and stores the result for download.
#[utoipa::path(post, path = "/api/run_segmentation", tag = "segmentation", params(SessionHeader),
    responses(
        (status = 200, body = RunSegmentationResponse),
        (status = 400, body = ApiErrorBody, description = "No volume or no points"),
        (status = 409, body = ApiErrorBody, description = "A new file was uploaded while it ran"),
    ))]
async fn run_segmentation(
    State(state): State<AppState>,
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Result<Json<RunSegmentationResponse>, ApiError> {
    let result = segment_session(&state, session, RunControl::default()).await?;
    Ok(Json(RunSegmentationResponse {
        status: "success".to_owned(),
        message: format!(
            "Segmentation completed: {} object(s) labelled",
            result.unique_labels.iter().filter(|&&l| l != 0).count()
        ),
        file_path: DOWNLOAD_PATH.to_owned(),
        unique_labels: result.unique_labels,
    }))
}

/// Segments the session's prompts and stores the result: the whole run, for the original
/// endpoint and for jobs alike. `control` stops it (as does a new upload) and reports progress.
pub(super) async fn segment_session(
    state: &AppState,
    session: Arc<Session>,
    control: RunControl,
) -> Result<StoredResult, ApiError> {
    let job_session = Arc::clone(&session);
    let (loaded, prompts, locks, generation, control) = blocking(move || {
        let loaded = job_session.volume()?.ok_or(ApiError::NoVolume)?;
        // Prompts, locks and generation from one moment: a run on a volume replaced since is
        // refused when it commits.
        let (meta, generation, control) = {
            let state = job_session.lock();
            let control = control.also_cancelled_by(&state.cancel_flag());
            (state.meta.clone(), state.generation(), control)
        };
        let mut prompts = meta.label_prompts();
        // A locked label is finished: its prompts have nothing left to do.
        prompts.retain(|p| !meta.locked.contains(&p.label));
        let locks = locked_voxels(&job_session, &meta.locked)?;
        if prompts.is_empty() && locks.is_none() {
            return Err(ApiError::NoPoints);
        }
        Ok((loaded, prompts, locks, generation, control))
    })
    .await?;
    // Decoding happens before the wait, in parallel with other runs: a queued run holds its
    // volume (memory past the budget), but the engine slots never wait on a decode.
    let waiting = state.metrics.waiting_for_engine();
    let _slot = state
        .segmentation_slots
        .acquire()
        .await
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    drop(waiting);
    let engine = Arc::clone(&state.engine);
    let job_loaded = Arc::clone(&loaded);
    let started = std::time::Instant::now();
    let labels = blocking(move || {
        let scan = job_loaded.scan();
        let Some(Locks { fixed, locked }) = locks else {
            return Ok(engine.segment(scan, &prompts, None, &control)?);
        };
        let mut labels = if prompts.is_empty() {
            LabelVolume::empty(scan.volume.dims())
        } else {
            engine.segment(scan.with_fixed(&fixed), &prompts, None, &control)?
        };
        keep_locked(&mut labels.labels, &fixed, &locked);
        Ok(labels)
    })
    .await?;
    state
        .metrics
        .observe_segmentation(started.elapsed().as_secs_f64());
    blocking(move || store_result(&session, &loaded, generation, &labels)).await
}

/// The locked labels of a run, and the voxels they hold in the latest result.
struct Locks {
    fixed: Vec<u8>,
    locked: Vec<u8>,
}

/// The voxels the session's locked labels hold, if it has any. Blocking.
fn locked_voxels(session: &Session, locked: &[u8]) -> Result<Option<Locks>, ApiError> {
    if locked.is_empty() {
        return Ok(None);
    }
    let previous = match stored_labels(session) {
        Ok(previous) => previous,
        // The result went away (a new upload): its locks went with it.
        Err(ApiError::NoSegmentation) => return Ok(None),
        Err(err) => return Err(err),
    };
    Ok(Some(Locks {
        fixed: fixed_voxels(label_voxels(&previous)?, locked),
        locked: locked.to_vec(),
    }))
}

/// Writes the label volume and label file, then records them as the session's result.
fn store_result(
    session: &Session,
    loaded: &LoadedVolume,
    generation: u64,
    labels: &LabelVolume,
) -> Result<StoredResult, ApiError> {
    let revision = session.update(true, |state| Ok::<_, ApiError>(state.meta.take_revision()))?;
    // The objects found, as the original lists them: `np.unique(seg[seg > 0])`, so background
    // is never listed (clients count objects from this list).
    let unique_labels: Vec<u8> = labels
        .unique_labels()
        .into_iter()
        .filter(|&l| l != 0)
        .collect();
    let result = StoredResult {
        revision,
        labels_nifti: format!("segmentation-{revision}.nii.gz"),
        labels_text: format!("labels-{revision}.txt"),
        unique_labels,
    };
    let dir = session.dir();
    write_label_nifti(
        &dir.join(&result.labels_nifti),
        &loaded.header,
        labels.dims,
        &labels.labels,
    )
    .map_err(|err| ApiError::Internal(err.to_string()))?;
    std::fs::write(
        dir.join(&result.labels_text),
        label_description(&result.unique_labels, session.meta().naming),
    )
    .and_then(|()| private::restrict_file(&dir.join(&result.labels_nifti)))
    .and_then(|()| private::restrict_file(&dir.join(&result.labels_text)))
    .map_err(|err| ApiError::Internal(format!("writing the label file failed: {err}")))?;
    if !session.commit_result(generation, result.clone())? {
        return Err(ApiError::Superseded);
    }
    Ok(result)
}
