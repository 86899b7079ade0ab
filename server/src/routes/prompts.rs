//! Our prompt endpoints: include and exclude points and boxes per label, undo and redo. The
//! original API's points (`/api/mark_point`) are include points whose label is their number;
//! both kinds go to the engine together.

use axum::{Extension, Json};
use interseg_shared::api::prompts::{
    AddPromptRequest, PromptEntry, PromptKind, PromptsResponse, SliceBox, SlicePoint,
};
use interseg_shared::color::label_color;
use interseg_shared::error::ApiErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{AppJson, AppPath, SessionHeader};
use super::slice_input::{point_on_slice, rect_on_slice};
use super::{CurrentSession, blocking};
use crate::error::ApiError;
use crate::session::{Durability, Prompt, PromptLog, PromptShape, Session};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_prompts, add_prompt, clear_prompts))
        .routes(routes!(remove_prompt))
        .routes(routes!(undo))
        .routes(routes!(redo))
}

/// The session's prompts, in the order given.
#[utoipa::path(get, path = "/api/prompts", tag = "prompts", params(SessionHeader),
    responses((status = 200, body = PromptsResponse)))]
async fn list_prompts(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Json<PromptsResponse> {
    let meta = session.meta();
    Json(listing(&meta.prompts, None, &session))
}

/// Adds an include or exclude point or box for a label. Exactly one of `point` and `box`.
#[utoipa::path(post, path = "/api/prompts", tag = "prompts", params(SessionHeader),
    request_body = AddPromptRequest,
    responses(
        (status = 200, body = PromptsResponse),
        (status = 400, body = ApiErrorBody, description = "No volume; label, axis, slice or position out of range; not exactly one shape"),
        (status = 422, body = ApiErrorBody, description = "A body of the wrong shape"),
    ))]
async fn add_prompt(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppJson(request): AppJson<AddPromptRequest>,
) -> Result<Json<PromptsResponse>, ApiError> {
    let label = u8::try_from(request.label)
        .ok()
        .filter(|&l| l != 0)
        .ok_or(ApiError::InvalidLabel(request.label))?;
    let changed = session.clone();
    let (log, added) = blocking(move || {
        changed.update(Durability::Durable, |state| {
            let shape = match (request.point, request.rect) {
                (Some(p), None) => {
                    let (view, voxel) =
                        point_on_slice(&state.meta, p.axis, p.slice_index, p.x, p.y)?;
                    PromptShape::Point { voxel, view }
                }
                (None, Some(b)) => {
                    let (rect, lo, hi) = rect_on_slice(
                        &state.meta,
                        b.axis,
                        b.slice_index,
                        [(b.x0, b.y0), (b.x1, b.y1)],
                    )?;
                    PromptShape::Box { rect, lo, hi }
                }
                _ => return Err(ApiError::PromptShape),
            };
            let id = state.meta.prompts.add(label, request.include, shape);
            Ok((state.meta.prompts.clone(), id))
        })
    })
    .await?;
    Ok(Json(listing(&log, Some(added), &session)))
}

/// Removes every prompt (undoable).
#[utoipa::path(delete, path = "/api/prompts", tag = "prompts", params(SessionHeader),
    responses((status = 200, body = PromptsResponse)))]
async fn clear_prompts(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Result<Json<PromptsResponse>, ApiError> {
    change(session, |log| {
        log.clear();
        Ok(())
    })
    .await
}

/// Removes one prompt (undoable).
#[utoipa::path(delete, path = "/api/prompts/{id}", tag = "prompts",
    params(("id" = u64, Path, description = "The prompt's id"), SessionHeader),
    responses(
        (status = 200, body = PromptsResponse),
        (status = 404, body = ApiErrorBody, description = "No such prompt"),
    ))]
async fn remove_prompt(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
    AppPath(id): AppPath<u64>,
) -> Result<Json<PromptsResponse>, ApiError> {
    change(session, move |log| {
        if log.remove(id) {
            Ok(())
        } else {
            Err(ApiError::NoSuchPrompt(id))
        }
    })
    .await
}

/// Undoes the last change to the prompts.
#[utoipa::path(post, path = "/api/prompts/undo", tag = "prompts", params(SessionHeader),
    responses(
        (status = 200, body = PromptsResponse),
        (status = 409, body = ApiErrorBody, description = "Nothing to undo"),
    ))]
async fn undo(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Result<Json<PromptsResponse>, ApiError> {
    change(session, |log| {
        if log.undo() {
            Ok(())
        } else {
            Err(ApiError::NothingToUndo)
        }
    })
    .await
}

/// Redoes the last undone change.
#[utoipa::path(post, path = "/api/prompts/redo", tag = "prompts", params(SessionHeader),
    responses(
        (status = 200, body = PromptsResponse),
        (status = 409, body = ApiErrorBody, description = "Nothing to redo"),
    ))]
async fn redo(
    Extension(CurrentSession(session)): Extension<CurrentSession>,
) -> Result<Json<PromptsResponse>, ApiError> {
    change(session, |log| {
        if log.redo() {
            Ok(())
        } else {
            Err(ApiError::NothingToRedo)
        }
    })
    .await
}

/// Applies a change to the prompt log, stores it and lists the result.
async fn change(
    session: std::sync::Arc<Session>,
    apply: impl FnOnce(&mut PromptLog) -> Result<(), ApiError> + Send + 'static,
) -> Result<Json<PromptsResponse>, ApiError> {
    let changed = session.clone();
    let log = blocking(move || {
        changed.update(Durability::Durable, |state| {
            apply(&mut state.meta.prompts)?;
            Ok::<_, ApiError>(state.meta.prompts.clone())
        })
    })
    .await?;
    Ok(Json(listing(&log, None, &session)))
}

fn listing(log: &PromptLog, added: Option<u64>, session: &Session) -> PromptsResponse {
    PromptsResponse {
        prompts: log.prompts().iter().map(entry).collect(),
        can_undo: log.can_undo(),
        can_redo: log.can_redo(),
        added,
        session_id: session.id.to_string(),
    }
}

fn entry(prompt: &Prompt) -> PromptEntry {
    let wide = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    let (kind, point, rect) = match prompt.shape {
        PromptShape::Point { view, .. } => (
            PromptKind::Point,
            Some(SlicePoint {
                axis: wide(view.axis),
                slice_index: wide(view.slice_index),
                x: wide(view.x),
                y: wide(view.y),
            }),
            None,
        ),
        PromptShape::Box { rect, .. } => (
            PromptKind::Box,
            None,
            Some(SliceBox {
                axis: wide(rect.axis),
                slice_index: wide(rect.slice_index),
                x0: wide(rect.col_min),
                y0: wide(rect.row_min),
                x1: wide(rect.col_max),
                y1: wide(rect.row_max),
            }),
        ),
    };
    PromptEntry {
        id: prompt.id,
        label: prompt.label,
        include: prompt.include,
        kind,
        point,
        rect,
        color: label_color(u16::from(prompt.label)),
    }
}
