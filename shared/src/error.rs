//! The body of every failed request, in FastAPI's shape so the original clients read it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"detail": "<readable message>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorBody {
    pub detail: String,
}
