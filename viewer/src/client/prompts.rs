//! Include and exclude points per label (`/api/prompts`), with undo and redo on the server, so
//! that a script and the viewer see the same history; and the points of the original API
//! (`/api/points`), which scripts of the original system mark.

use interseg_shared::api::points::PointsResponse;
use interseg_shared::api::prompts::{AddPromptRequest, PromptsResponse, SliceBox, SlicePoint};
use reqwest::Method;

use super::{ClientError, ServerClient, SessionId};

impl ServerClient {
    pub async fn prompts(&self, session_id: SessionId) -> Result<PromptsResponse, ClientError> {
        self.json(self.request(Method::GET, "/api/prompts", Some(session_id)))
            .await
    }

    /// Adds a point for `label` (an include point, or an exclude point).
    pub async fn add_point(
        &self,
        session_id: SessionId,
        label: u8,
        include: bool,
        point: SlicePoint,
    ) -> Result<PromptsResponse, ClientError> {
        self.add_prompt(session_id, label, include, Some(point), None)
            .await
    }

    /// Adds a box for `label` (include: the object lies in it; exclude: keep it out).
    pub async fn add_box(
        &self,
        session_id: SessionId,
        label: u8,
        include: bool,
        rect: SliceBox,
    ) -> Result<PromptsResponse, ClientError> {
        self.add_prompt(session_id, label, include, None, Some(rect))
            .await
    }

    async fn add_prompt(
        &self,
        session_id: SessionId,
        label: u8,
        include: bool,
        point: Option<SlicePoint>,
        rect: Option<SliceBox>,
    ) -> Result<PromptsResponse, ClientError> {
        let body = AddPromptRequest {
            label: i64::from(label),
            include,
            point,
            rect,
        };
        self.json(
            self.request(Method::POST, "/api/prompts", Some(session_id))
                .json(&body),
        )
        .await
    }

    pub async fn remove_prompt(
        &self,
        session_id: SessionId,
        id: u64,
    ) -> Result<PromptsResponse, ClientError> {
        let path = format!("/api/prompts/{id}");
        self.json(self.request(Method::DELETE, &path, Some(session_id)))
            .await
    }

    pub async fn clear_prompts(
        &self,
        session_id: SessionId,
    ) -> Result<PromptsResponse, ClientError> {
        self.json(self.request(Method::DELETE, "/api/prompts", Some(session_id)))
            .await
    }

    pub async fn undo(&self, session_id: SessionId) -> Result<PromptsResponse, ClientError> {
        self.json(self.request(Method::POST, "/api/prompts/undo", Some(session_id)))
            .await
    }

    pub async fn redo(&self, session_id: SessionId) -> Result<PromptsResponse, ClientError> {
        self.json(self.request(Method::POST, "/api/prompts/redo", Some(session_id)))
            .await
    }

    /// The points marked through the original API (`POST /api/mark_point`).
    pub async fn legacy_points(
        &self,
        session_id: SessionId,
    ) -> Result<PointsResponse, ClientError> {
        self.json(self.request(Method::GET, "/api/points", Some(session_id)))
            .await
    }

    /// Removes an original-API point, then lists what is left.
    pub async fn remove_legacy_point(
        &self,
        session_id: SessionId,
        number: u16,
    ) -> Result<PointsResponse, ClientError> {
        let path = format!("/api/remove_point/{number}");
        self.send(self.request(Method::DELETE, &path, Some(session_id)))
            .await?;
        self.legacy_points(session_id).await
    }

    /// Removes every original-API point, then lists what is left.
    pub async fn clear_legacy_points(
        &self,
        session_id: SessionId,
    ) -> Result<PointsResponse, ClientError> {
        self.send(self.request(Method::DELETE, "/api/points", Some(session_id)))
            .await?;
        self.legacy_points(session_id).await
    }
}
