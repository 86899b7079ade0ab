//! How the session names its labels (`/api/naming`): numbers, or FDI or Universal tooth
//! numbers. The names go into the ITK-SNAP label file and the Slicer segments.

use axum::{Extension, Json};
use interseg_shared::api::naming::{LabelName, NamingRequest, NamingResponse};
use interseg_shared::error::ApiErrorBody;
use interseg_shared::naming::label_name;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{AppJson, SessionHeader};
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::session::{Durability, Session, SessionMeta};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_naming, set_naming))
}

/// The session's label naming, and the names of the labels it uses.
#[utoipa::path(get, path = "/api/naming", tag = "segmentation", params(SessionHeader),
    responses((status = 200, body = NamingResponse)))]
async fn get_naming(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Json<NamingResponse> {
    Json(answer(&session, &session.meta()))
}

/// Sets how labels are named: `numbers` (`#1`…, the default), `fdi` (label values are FDI
/// tooth numbers, named by them: `Tooth 36: lower left first molar`) or `universal` (the same
/// values, named by Universal numbers: `Tooth 19: …`); 1–10 name the jaws, canals, sinuses,
/// pharynx, bridge, crown and implant (the convention of the `ToothFairy` datasets). Stored
/// with the session.
#[utoipa::path(put, path = "/api/naming", tag = "segmentation", params(SessionHeader),
    request_body = NamingRequest,
    responses(
        (status = 200, body = NamingResponse),
        (status = 422, body = ApiErrorBody, description = "Not one of numbers, fdi, universal"),
    ))]
async fn set_naming(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppJson(request): AppJson<NamingRequest>,
) -> Result<Json<NamingResponse>, ApiError> {
    let meta = blocking(move || {
        let meta = session.update(Durability::Durable, |state| {
            state.meta.naming = request.naming;
            Ok::<_, ApiError>(state.meta.clone())
        })?;
        Ok(answer(&session, &meta))
    })
    .await?;
    Ok(Json(meta))
}

fn answer(session: &Session, meta: &SessionMeta) -> NamingResponse {
    let mut labels: Vec<u8> = meta.label_prompts().iter().map(|p| p.label).collect();
    if let Some(result) = &meta.result {
        labels.extend(&result.unique_labels);
    }
    labels.retain(|&l| l != 0);
    labels.sort_unstable();
    labels.dedup();
    NamingResponse {
        naming: meta.naming,
        names: labels
            .into_iter()
            .map(|label| LabelName {
                label,
                name: label_name(label, meta.naming),
            })
            .collect(),
        session_id: session.id.to_string(),
    }
}
