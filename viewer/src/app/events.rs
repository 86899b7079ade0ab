//! Applying what the background work reports to the viewer's state.

use interseg_shared::api::points::PointsResponse;
use interseg_shared::api::prompts::PromptsResponse;
use interseg_shared::api::segmentation::{JobResponse, JobState};
use interseg_shared::api::volume::UploadResponse;

use super::ViewerApp;
use crate::client::segmentation::SavedFiles;
use crate::client::{ClientError, SessionStart};
use crate::document::legacy_entry;
use crate::document::{RunningJob, SessionView, Transfer};
use crate::net::{Event, PromptCall};
use crate::view::WindowLevel;

impl ViewerApp {
    pub(crate) fn apply_events(&mut self) {
        for event in self.net.poll() {
            self.apply(event);
        }
    }

    /// Applies one event (those of a session the viewer has left never get here).
    pub(crate) fn apply(&mut self, event: Event) {
        match event {
            Event::Session(Ok(start)) => self.session_started(start),
            Event::Session(Err(err)) => {
                self.doc.session = SessionView::Failed(err.to_string());
                self.failed("start a session", &err);
            }
            Event::NoVolume => self.no_volume(),
            Event::FileName(name) => {
                self.ui.fields.save_path = super::save_path_for(&name);
                self.doc.volume_name = Some(name);
            }
            Event::VolumeLoading(progress) => {
                self.doc.transfer = Some(Transfer {
                    what: "Loading the volume".to_owned(),
                    name: self.doc.volume_name.clone().unwrap_or_default(),
                    progress,
                    cancel: None,
                });
            }
            Event::Volume(Ok(volume)) => self.show_volume(volume),
            Event::Volume(Err(err)) => {
                self.doc.transfer = None;
                self.failed("load the volume", &err);
            }
            Event::Labels(Ok(labels)) => self.show_labels(labels),
            Event::Labels(Err(err)) => self.failed("load the result", &err),
            Event::Prompts { call, answer } => match answer {
                Ok(answer) => self.prompts_changed(call, answer),
                Err(err) => self.failed(call.words(), &err),
            },
            Event::LegacyPoints { call, answer } => match answer {
                Ok(answer) => self.points_changed(call, &answer),
                Err(err) => self.failed(call.words(), &err),
            },
            Event::Uploaded(Ok(answer)) => self.uploaded(&answer),
            Event::Uploaded(Err(err)) => {
                self.doc.transfer = None;
                self.failed("open the file", &err);
            }
            Event::Job(Ok(job)) => self.job_changed(job),
            Event::Job(Err(err)) => {
                self.doc.job = None;
                self.failed("segment", &err);
            }
            Event::Saved(Ok(files)) => self.saved(&files),
            Event::Saved(Err(err)) => self.failed("save", &err),
            Event::Naming(Ok(answer)) => self.doc.naming = answer.naming,
            Event::Naming(Err(err)) => self.failed("name the labels", &err),
            Event::Locks(Ok(answer)) => self.doc.locked = answer.locked,
            Event::Locks(Err(err)) => {
                self.failed("lock the label", &err);
                // Show what the server holds, not what was asked.
                self.net.refresh_locks();
            }
            Event::Surfaces { shown, surfaces } => {
                // A later result's surfaces are on their way.
                if shown == self.doc.results_shown {
                    self.show_surfaces(surfaces);
                }
            }
            Event::OpenPicked(Some(path)) => self.open_path(path),
            Event::SavePicked(Some(path)) => {
                self.ui.fields.save_path = path.display().to_string();
                self.save_to(path);
            }
            // rfd cannot tell a cancelled dialog from a desktop without one.
            Event::OpenPicked(None) => {
                self.say("No file chosen (without a file dialog, drop the file or type its path)");
            }
            Event::SavePicked(None) => {
                self.say("Not saved (without a file dialog, type the path and press Save)");
            }
            Event::Reconnected => self.reconnected(),
        }
    }

    /// The session had no volume when it started; an upload the user began since (it can be
    /// cancelled) goes on.
    fn no_volume(&mut self) {
        if self
            .doc
            .transfer
            .as_ref()
            .is_none_or(|t| t.cancel.is_none())
        {
            self.doc.transfer = None;
        }
    }

    fn show_volume(&mut self, volume: std::sync::Arc<crate::volume_data::VolumeData>) {
        self.doc.transfer = None;
        // The same volume again (after a reconnection) keeps the user's view.
        let same = self.doc.volume.as_ref().is_some_and(|old| {
            old.info.shape == volume.info.shape && old.info.affine == volume.info.affine
        });
        if !same {
            self.view.reset_for(&volume);
            if self.config.window_level.is_none() || self.doc.volume.is_some() {
                self.view.window = WindowLevel::from_range(volume.robust_range);
            }
        }
        self.doc.labels = None;
        tracing::info!(dims = ?volume.dims(), "volume on screen");
        self.doc.volume = Some(volume);
    }

    fn prompts_changed(&mut self, call: PromptCall, answer: PromptsResponse) {
        let changed = answer.prompts != self.doc.prompts;
        self.doc.prompts = answer.prompts;
        self.doc.can_undo = answer.can_undo;
        self.doc.can_redo = answer.can_redo;
        // A click already moved on to the next label; after any other change the next
        // object is the first label no point uses.
        if self.view.new_object_per_click && call != PromptCall::Mark {
            self.view.current_label = self.doc.next_free_label(0);
        }
        if changed && self.ui.fields.auto_segment && call != PromptCall::Load {
            self.segment();
        }
    }

    fn points_changed(&mut self, call: PromptCall, answer: &PointsResponse) {
        let points: Vec<_> = answer.points.iter().filter_map(legacy_entry).collect();
        let changed = points != self.doc.legacy_points;
        self.doc.legacy_points = points;
        if self.view.new_object_per_click {
            self.view.current_label = self.doc.next_free_label(0);
        }
        if changed && self.ui.fields.auto_segment && call != PromptCall::Load {
            self.segment();
        }
    }

    /// A new volume replaced the session's: its prompts, result and locks went with the old.
    fn uploaded(&mut self, answer: &UploadResponse) {
        if let Some(transfer) = self.doc.transfer.take() {
            self.doc.volume_name = Some(transfer.name);
        }
        self.doc.prompts.clear();
        self.doc.legacy_points.clear();
        self.doc.labels = None;
        self.doc.result_labels.clear();
        self.doc.locked.clear();
        self.view.current_label = 1;
        let [lo, hi] = answer.data_range;
        self.say(format!(
            "Opened {} ({} voxels, values {lo}…{hi})",
            self.doc.volume_name.clone().unwrap_or_default(),
            answer
                .shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("×"),
        ));
    }

    fn job_changed(&mut self, job: JobResponse) {
        match job.state {
            JobState::Running => {
                if self.doc.job == Some(RunningJob::Starting { cancelled: true }) {
                    self.net.cancel_job(job.job_id);
                }
                self.doc.job = Some(RunningJob::Running {
                    job_id: job.job_id,
                    progress: job.progress,
                });
            }
            JobState::Done => {
                self.doc.job = None;
                let labels = job.unique_labels.unwrap_or_default();
                let objects = labels.iter().filter(|&&l| l > 0).count();
                self.say(format!("Segmented: {objects} object(s)"));
                self.segment_again_if_asked();
            }
            JobState::Failed => {
                self.doc.job = None;
                self.complain(format!(
                    "Segmentation failed: {}",
                    job.detail.unwrap_or_default()
                ));
            }
            JobState::Cancelled => {
                self.doc.job = None;
                if !self.segment_again_if_asked() {
                    self.say("Segmentation cancelled");
                }
            }
        }
    }

    fn saved(&mut self, files: &SavedFiles) {
        let mut saved = vec![
            files.labels_volume.display().to_string(),
            files.label_descriptions.display().to_string(),
        ];
        saved.extend(files.dicom_seg.iter().map(|p| p.display().to_string()));
        saved.extend(files.meshes.iter().map(|p| p.display().to_string()));
        let last = saved.pop().unwrap_or_default();
        self.say(format!("Saved {} and {last}", saved.join(", ")));
    }

    fn reconnected(&mut self) {
        self.doc.connection_lost = false;
        self.say("The server answers again");
        match self.doc.session_id() {
            Some(id) => self.net.session_ready(id),
            None => self.reconnect(),
        }
    }

    fn session_started(&mut self, start: SessionStart) {
        let short = start.session_id().short();
        match &start {
            SessionStart::Resumed(_) => self.say(format!("Session {short}… resumed")),
            SessionStart::Created {
                stored_was_gone: true,
                ..
            } => self.say(format!(
                "The previous session is no longer on the server; started session {short}…"
            )),
            SessionStart::Created { .. } => self.say(format!("New session {short}…")),
        }
        self.net.session_ready(start.session_id());
        self.config.set_session(start.session_id());
        self.doc.session = SessionView::Ready(start);
    }

    /// Labels already on the GPU (the background task put them there).
    fn show_labels(&mut self, labels: Option<Vec<u8>>) {
        if labels.is_some() {
            self.doc.results_shown += 1;
        }
        self.doc.result_labels = labels.as_deref().map(present).unwrap_or_default();
        match (&labels, &self.doc.volume) {
            (Some(labels), Some(volume)) => self.net.build_surfaces(
                labels.clone(),
                std::sync::Arc::clone(volume),
                std::sync::Arc::clone(&self.doc.surfaces),
                self.doc.results_shown,
            ),
            _ => self.show_surfaces(std::sync::Arc::default()),
        }
        self.doc.labels = labels;
    }

    /// Puts `surfaces` in the 3D view.
    pub(crate) fn show_surfaces(&mut self, surfaces: std::sync::Arc<crate::surfaces::Surfaces>) {
        if let Some(gpu) = &self.surface_renderer {
            gpu.upload(&surfaces, &self.view.hidden_labels);
        }
        self.surfaces_hidden = self.view.hidden_labels.clone();
        self.doc.surfaces = surfaces;
    }

    /// Starts the next run when prompts changed during the last one.
    fn segment_again_if_asked(&mut self) -> bool {
        let again = std::mem::take(&mut self.doc.segment_again);
        if again {
            self.segment();
        }
        again
    }

    /// Reports a failed call in plain words; a lost connection starts the retries.
    fn failed(&mut self, action: &str, err: &ClientError) {
        if err.is_connection_lost() {
            self.doc.connection_lost = true;
            self.net.watch_connection();
            self.complain(format!(
                "Could not {action}: the server does not answer (retrying)"
            ));
        } else {
            self.complain(format!("Could not {action}: {err}"));
        }
    }
}

/// The labels (not 0) that occur in `labels`, ascending.
fn present(labels: &[u8]) -> Vec<u8> {
    let mut seen = [false; 256];
    for &l in labels {
        seen[usize::from(l)] = true;
    }
    (1..=u8::MAX).filter(|&l| seen[usize::from(l)]).collect()
}
