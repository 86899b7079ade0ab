//! Running the segmentation, answering when it ends (the run itself is [`run::segment`]).

use axum::extract::State;
use axum::{Extension, Json};
use interseg_shared::api::segmentation::RunSegmentationResponse;
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CurrentSession;
use super::downloads::DOWNLOAD_PATH;
use super::extract::SessionHeader;
use crate::error::ApiError;
use crate::segmentation::RunControl;
use crate::session::run;
use crate::state::AppState;

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
    let result = run::segment(state.runner(), session, RunControl::default()).await?;
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
