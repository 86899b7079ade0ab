//! Locked labels (`/api/locks`): a finished object (a tooth) that later runs must not change.
//! A run keeps every voxel of a locked label as it is, lets no other label take or cross
//! them, and does not grow the locked label either; unlocking gives them back to the
//! competition at the next run. Stored with the session.

use axum::{Extension, Json};
use interseg_shared::api::locks::{LocksRequest, LocksResponse};
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{AppJson, SessionHeader};
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::session::Durability;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_locks, set_locks))
}

/// The session's locked labels.
#[utoipa::path(get, path = "/api/locks", tag = "segmentation", params(SessionHeader),
    responses((status = 200, body = LocksResponse)))]
async fn get_locks(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Json<LocksResponse> {
    Json(LocksResponse {
        locked: session.meta().locked,
        session_id: session.id.to_string(),
    })
}

/// Sets the locked labels (all others are unlocked): each must be 1–255 and have voxels in
/// the latest result. Later runs keep their voxels exactly; for every other label they are
/// "not this object". Locking nothing (`[]`) undoes every lock.
#[utoipa::path(put, path = "/api/locks", tag = "segmentation", params(SessionHeader),
    request_body = LocksRequest,
    responses(
        (status = 200, body = LocksResponse),
        (status = 400, body = ApiErrorBody, description = "A label outside 1–255"),
        (status = 409, body = ApiErrorBody, description = "A label the latest result does not hold"),
    ))]
async fn set_locks(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppJson(request): AppJson<LocksRequest>,
) -> Result<Json<LocksResponse>, ApiError> {
    let mut locked = request
        .locked
        .iter()
        .map(|&l| {
            u8::try_from(l)
                .ok()
                .filter(|&l| l != 0)
                .ok_or(ApiError::InvalidLabel(l))
        })
        .collect::<Result<Vec<u8>, _>>()?;
    locked.sort_unstable();
    locked.dedup();
    let id = session.id.to_string();
    let locked = blocking(move || {
        session.update(Durability::Durable, |state| {
            let present = state
                .meta
                .result
                .as_ref()
                .map_or(&[][..], |r| r.unique_labels.as_slice());
            if let Some(&missing) = locked.iter().find(|l| !present.contains(l)) {
                return Err(ApiError::LockWithoutVoxels(missing));
            }
            state.meta.locked.clone_from(&locked);
            Ok(locked)
        })
    })
    .await?;
    Ok(Json(LocksResponse {
        locked,
        session_id: id,
    }))
}
