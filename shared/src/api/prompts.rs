//! Our prompt endpoints: include/exclude points and boxes per label, with undo and redo.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::color::Rgb;

/// A click on a slice: `x` the column, `y` the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SlicePoint {
    pub axis: i64,
    pub slice_index: i64,
    pub x: i64,
    pub y: i64,
}

/// A rectangle drawn on a slice between two corners (columns `x`, rows `y`, inclusive, in
/// any order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SliceBox {
    pub axis: i64,
    pub slice_index: i64,
    pub x0: i64,
    pub y0: i64,
    pub x1: i64,
    pub y1: i64,
}

/// Body of `POST /api/prompts`: a point or a box for a label.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AddPromptRequest {
    /// The label (object) this prompt is about, 1–255.
    pub label: i64,
    /// True: this belongs to the label. False: it does not.
    #[serde(default = "default_include")]
    pub include: bool,
    #[serde(default)]
    pub point: Option<SlicePoint>,
    #[serde(default, rename = "box")]
    pub rect: Option<SliceBox>,
}

fn default_include() -> bool {
    true
}

/// What shape a prompt has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PromptKind {
    Point,
    Box,
}

impl PromptKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Point => "point",
            Self::Box => "box",
        }
    }
}

/// One prompt as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PromptEntry {
    pub id: u64,
    pub label: u8,
    pub include: bool,
    pub kind: PromptKind,
    /// Where it was given; a box's corners are normalised (`x0 ≤ x1`, `y0 ≤ y1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<SlicePoint>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "box")]
    pub rect: Option<SliceBox>,
    pub color: Rgb,
}

/// The session's prompts after a request.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PromptsResponse {
    /// In the order given.
    pub prompts: Vec<PromptEntry>,
    pub can_undo: bool,
    pub can_redo: bool,
    /// The id of the prompt just added, for `POST /api/prompts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<u64>,
    pub session_id: String,
}
