//! Label naming (`/api/naming`): numbers, FDI or Universal tooth numbers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::naming::LabelNaming;

/// Body of `PUT /api/naming`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NamingRequest {
    pub naming: LabelNaming,
}

/// A label's name under the session's naming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LabelName {
    pub label: u8,
    pub name: String,
}

/// Answer of `GET|PUT /api/naming`: the naming, and the names of the labels the session uses
/// (in its prompts, points and latest result), ascending.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NamingResponse {
    pub naming: LabelNaming,
    pub names: Vec<LabelName>,
    pub session_id: String,
}
