//! Segmentation jobs: start a run in the background, follow its progress, cancel it. The
//! original `POST /api/run_segmentation` answers when the run ends; a client that wants a
//! progress bar (the viewer) starts a job instead and polls it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use interseg_shared::api::segmentation::{JobResponse, JobState};
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CurrentSession;
use super::downloads::DOWNLOAD_PATH;
use super::extract::{AppPath, SessionHeader};
use crate::error::ApiError;
use crate::session::run::{self, RunError};
use crate::session::{JobStatus, Session};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_job))
        .routes(routes!(job_status, cancel_job))
}

/// Starts segmenting the session's prompts in the background; answers at once.
#[utoipa::path(post, path = "/api/segmentation/jobs", tag = "segmentation", params(SessionHeader),
    responses((status = 202, body = JobResponse, description = "Started; poll it with GET")))]
async fn start_job(
    State(state): State<AppState>,
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> (StatusCode, Json<JobResponse>) {
    let (job_id, control) = session.lock().jobs.start();
    let job_session = Arc::clone(&session);
    tokio::spawn(async move {
        let status = match run::segment(state.runner(), Arc::clone(&job_session), control).await {
            Ok(result) => JobStatus::Done {
                unique_labels: result.unique_labels,
            },
            Err(RunError::Superseded) => JobStatus::Cancelled,
            Err(err) => JobStatus::Failed {
                detail: ApiError::from(err).client_detail(),
            },
        };
        job_session.lock().jobs.finish(job_id, status);
    });
    (StatusCode::ACCEPTED, Json(describe(&session, job_id)))
}

/// A job's state and progress; when done, the labels found.
#[utoipa::path(get, path = "/api/segmentation/jobs/{job_id}", tag = "segmentation",
    params(("job_id" = u64, Path, description = "The job's id"), SessionHeader),
    responses(
        (status = 200, body = JobResponse),
        (status = 404, body = ApiErrorBody, description = "No such job"),
    ))]
async fn job_status(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppPath(job_id): AppPath<u64>,
) -> Result<Json<JobResponse>, ApiError> {
    if session.lock().jobs.get(job_id).is_none() {
        return Err(ApiError::NoSuchJob(job_id));
    }
    Ok(Json(describe(&session, job_id)))
}

/// Cancels a running job (a finished one is left as it is).
#[utoipa::path(delete, path = "/api/segmentation/jobs/{job_id}", tag = "segmentation",
    params(("job_id" = u64, Path, description = "The job's id"), SessionHeader),
    responses(
        (status = 200, body = JobResponse),
        (status = 404, body = ApiErrorBody, description = "No such job"),
    ))]
async fn cancel_job(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppPath(job_id): AppPath<u64>,
) -> Result<Json<JobResponse>, ApiError> {
    if !session.lock().jobs.cancel(job_id) {
        return Err(ApiError::NoSuchJob(job_id));
    }
    Ok(Json(describe(&session, job_id)))
}

fn describe(session: &Session, job_id: u64) -> JobResponse {
    let (status, progress) = session
        .lock()
        .jobs
        .get(job_id)
        .unwrap_or((JobStatus::Cancelled, 0.0));
    let (state, unique_labels, detail) = match status {
        JobStatus::Running => (JobState::Running, None, None),
        JobStatus::Done { unique_labels } => (JobState::Done, Some(unique_labels), None),
        JobStatus::Failed { detail } => (JobState::Failed, None, Some(detail)),
        JobStatus::Cancelled => (JobState::Cancelled, None, None),
    };
    JobResponse {
        job_id,
        state,
        progress,
        file_path: (state == JobState::Done).then(|| DOWNLOAD_PATH.to_owned()),
        unique_labels,
        detail,
        session_id: session.id.to_string(),
    }
}
