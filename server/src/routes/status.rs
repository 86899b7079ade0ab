//! Session status and the colour template.

use axum::extract::State;
use axum::{Extension, Json};
use interseg_shared::api::status::{ColorTemplateResponse, FileInfo, StatusResponse};
use interseg_shared::color;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CurrentSession;
use super::extract::SessionHeader;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(color_template))
}

/// The session's state: its file, points, current view and results.
#[utoipa::path(get, path = "/api/status", tag = "status", params(SessionHeader),
    responses((status = 200, body = StatusResponse)))]
async fn status(
    State(state): State<AppState>,
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Json<StatusResponse> {
    let meta = session.meta();
    Json(StatusResponse {
        session_id: session.id.to_string(),
        file_uploaded: meta.volume.is_some(),
        file_info: meta.volume.map(|v| FileInfo {
            filename: v.filename,
            shape: v.shape.to_vec(),
            data_range: v.data_range,
        }),
        total_points: meta.points.len(),
        current_axis: meta.current_axis,
        current_slice: meta.current_slice,
        segmentation_files_exist: meta.result.is_some(),
        nninteractive_available: state.engine.is_nninteractive(),
        cuda_available: state.engine.uses_cuda(),
        created_at: meta.created_at,
        last_activity: meta.last_activity,
    })
}

/// The 34-entry label colour template.
#[utoipa::path(get, path = "/api/color_template", tag = "status", params(SessionHeader),
    responses((status = 200, body = ColorTemplateResponse)))]
async fn color_template(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Json<ColorTemplateResponse> {
    Json(ColorTemplateResponse {
        status: "success".to_owned(),
        color_template: color::template(),
        session_id: session.id.to_string(),
    })
}
