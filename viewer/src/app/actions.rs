//! What the user asks for, turned into server calls and view changes.

use std::path::PathBuf;

use interseg_shared::api::prompts::{SliceBox, SlicePoint};
use interseg_shared::geometry::{Axis, slice_from_voxel};

use super::ViewerApp;
use crate::client::volume::UploadSource;
use crate::client::{ServerClient, SessionId};
use crate::config::EMBEDDED;
use crate::document::{Document, RunningJob, Transfer};
use crate::net::PromptCall;
use crate::sample;

impl ViewerApp {
    /// Opens the bundled sample volume.
    pub fn open_sample(&mut self) {
        self.upload(UploadSource::Bytes {
            name: sample::FILE_NAME.to_owned(),
            bytes: sample::BYTES.to_vec(),
        });
    }

    /// Opens a file from this machine.
    pub fn open_path(&mut self, path: PathBuf) {
        if !path.is_file() {
            self.complain(format!("{} is not a file", path.display()));
            return;
        }
        self.upload(UploadSource::File(path));
    }

    /// Uploads at once when nothing would be lost; otherwise asks first (see
    /// [`ViewerApp::confirm_upload`]).
    fn upload(&mut self, source: UploadSource) {
        if !self.doc.prompts.is_empty() || self.doc.labels.is_some() {
            self.pending_upload = Some(source);
            return;
        }
        self.upload_now(source);
    }

    /// Answers the question about replacing the current work: upload the file, or not.
    pub fn confirm_upload(&mut self, replace: bool) {
        if let Some(source) = self.pending_upload.take()
            && replace
        {
            self.upload_now(source);
        }
    }

    fn upload_now(&mut self, source: UploadSource) {
        if self.doc.is_busy() {
            self.complain("Wait for the current transfer, or cancel it");
            return;
        }
        let name = source.name();
        let Some((progress, cancel)) = self.net.upload(source) else {
            self.complain("Not connected to a server yet");
            return;
        };
        self.ui.fields.save_path = super::save_path_for(&name);
        self.doc.transfer = Some(Transfer {
            what: format!("Uploading {name}"),
            name,
            progress,
            cancel: Some(cancel),
        });
    }

    /// Stops an upload; the server keeps what it had before.
    pub fn cancel_transfer(&mut self) {
        if let Some(transfer) = self.doc.transfer.take() {
            if let Some(cancel) = transfer.cancel {
                cancel.abort();
            }
            self.say(format!("{} cancelled", transfer.what));
        }
    }

    /// Marks a point on `voxel`, clicked in the view along `axis`: an include point for the
    /// current label, or an exclude point for the object under it.
    pub fn mark_point(&mut self, voxel: [usize; 3], axis: usize, include: bool) {
        let Some(axis) = Axis::from_number(axis as i64) else {
            return;
        };
        let (slice, pos) = slice_from_voxel(axis, voxel);
        let point = SlicePoint {
            axis: axis.number() as i64,
            slice_index: slice as i64,
            x: pos.col as i64,
            y: pos.row as i64,
        };
        let label = self.prompt_label(include, self.doc.label_at(voxel));
        self.net.add_point(label, include, point);
        self.move_on_after(include, label);
    }

    /// Marks a box spanning voxels `a` and `b` (on one slice along `axis`): an include box for
    /// the current label, or an exclude box for the last object marked.
    pub fn mark_box(&mut self, a: [usize; 3], b: [usize; 3], axis: usize, include: bool) {
        let Some(axis) = Axis::from_number(axis as i64) else {
            return;
        };
        let (slice, from) = slice_from_voxel(axis, a);
        let (_, to) = slice_from_voxel(axis, b);
        let rect = SliceBox {
            axis: axis.number() as i64,
            slice_index: slice as i64,
            x0: from.col as i64,
            y0: from.row as i64,
            x1: to.col as i64,
            y1: to.row as i64,
        };
        let label = self.prompt_label(include, 0);
        self.net.add_box(label, include, rect);
        self.move_on_after(include, label);
    }

    /// The label a new prompt goes to: the current one for an include prompt; for an exclude
    /// prompt the object under it (`under`, 0 for none), else the last object marked.
    fn prompt_label(&self, include: bool, under: u8) -> u8 {
        match (include, under) {
            (true, _) => self.view.current_label,
            (false, 0) => self
                .doc
                .last_include_label()
                .unwrap_or(self.view.current_label),
            (false, under) => under,
        }
    }

    /// After an include prompt, the next click starts a new object (when asked to).
    fn move_on_after(&mut self, include: bool, label: u8) {
        if include && self.view.new_object_per_click {
            self.view.current_label = self.doc.next_free_label(label);
        }
    }

    pub fn remove_prompt(&mut self, id: u64) {
        self.net
            .prompts(PromptCall::Remove, move |client, session| async move {
                client.remove_prompt(session, id).await
            });
    }

    /// Removes a point marked through the original API.
    pub fn remove_legacy_point(&mut self, number: u16) {
        self.net
            .legacy_points(PromptCall::Remove, move |client, session| async move {
                client.remove_legacy_point(session, number).await
            });
    }

    /// Removes every prompt: ours and the original API's points.
    pub fn clear_points(&mut self) {
        self.net
            .prompts(PromptCall::Clear, |client, session| async move {
                client.clear_prompts(session).await
            });
        if !self.doc.legacy_points.is_empty() {
            self.net
                .legacy_points(PromptCall::Clear, |client, session| async move {
                    client.clear_legacy_points(session).await
                });
        }
    }

    pub fn undo(&mut self) {
        if self.doc.can_undo {
            self.net
                .prompts(PromptCall::Undo, |client, session| async move {
                    client.undo(session).await
                });
        }
    }

    pub fn redo(&mut self) {
        if self.doc.can_redo {
            self.net
                .prompts(PromptCall::Redo, |client, session| async move {
                    client.redo(session).await
                });
        }
    }

    /// Runs the engine on the current prompts; while a run is going, queues one more.
    pub fn segment(&mut self) {
        if self.doc.volume.is_none() {
            return;
        }
        if self.doc.job.is_some() {
            self.doc.segment_again = true;
            return;
        }
        self.doc.job = Some(RunningJob::Starting { cancelled: false });
        self.net.segment();
    }

    pub fn cancel_segmentation(&mut self) {
        self.doc.segment_again = false;
        match &mut self.doc.job {
            Some(RunningJob::Running { job_id, .. }) => self.net.cancel_job(*job_id),
            // No id to cancel yet: cancelled when it comes.
            Some(RunningJob::Starting { cancelled }) => *cancelled = true,
            None => {}
        }
    }

    /// Locks `label` (later runs keep its voxels) or unlocks it.
    pub fn set_locked(&mut self, label: u8, locked: bool) {
        let mut labels = self.doc.locked.clone();
        labels.retain(|&l| l != label);
        if locked {
            labels.push(label);
            labels.sort_unstable();
        }
        if labels != self.doc.locked {
            self.doc.locked.clone_from(&labels);
            self.net.set_locks(labels);
        }
    }

    /// Names the session's labels by `naming` (stored on the server).
    pub fn set_naming(&mut self, naming: interseg_shared::naming::LabelNaming) {
        if naming != self.doc.naming {
            self.doc.naming = naming;
            self.net.set_naming(naming);
        }
    }

    /// Downloads the label volume to `path` and the label file beside it.
    pub fn save_to(&mut self, path: PathBuf) {
        if self.doc.labels.is_none() {
            self.complain("Nothing to save yet: mark points and segment first");
            return;
        }
        self.net.save(path, self.ui.fields.save_meshes);
    }

    pub fn save_with_dialog(&mut self) {
        let suggested = PathBuf::from(&self.ui.fields.save_path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "segmentation.nii.gz".to_owned());
        self.net.pick_save(suggested);
    }

    /// Leaves the current session (it stays on the server) and starts a new one.
    pub fn new_session(&mut self) {
        self.cancel_transfer();
        self.doc = Document::default();
        self.ui.hover = None;
        self.view.current_label = 1;
        let settings = self.settings.clone().map(|f| (f, self.config.clone()));
        self.net.connect(None, settings);
    }

    /// Switches to another session of the same server (it stays resumable by id; a session the
    /// server does not know is replaced by a new one, and said so).
    pub fn open_session(&mut self, session_id: SessionId) {
        self.cancel_transfer();
        self.doc = Document::default();
        self.ui.hover = None;
        let settings = self.settings.clone().map(|f| (f, self.config.clone()));
        self.net.connect(Some(session_id.to_string()), settings);
    }

    /// Connects to the server typed in the server window (empty: the embedded one).
    pub fn connect_to(&mut self, url: &str, token: &str) {
        let url = url.trim().trim_end_matches('/').to_owned();
        let token = Some(token.trim().to_owned()).filter(|t| !t.is_empty());
        let (base, remote) = if url.is_empty() {
            match &self.embedded {
                Some(server) => (server.url().to_owned(), None),
                None => {
                    self.complain("This viewer was started without an embedded server");
                    return;
                }
            }
        } else {
            (url.clone(), Some(url))
        };
        // Nothing changes unless the client can be made (an unusable CA file is said so).
        let client =
            match ServerClient::connect(&base, token.clone(), self.config.ca_file.as_deref()) {
                Ok(client) => client,
                Err(error) => {
                    self.complain(error.to_string());
                    return;
                }
            };
        self.config.server_url = remote;
        self.config.api_token = token;
        self.server_url = base;
        self.net.set_client(client);
        self.doc = Document::default();
        self.reconnect();
    }

    /// Connects to the configured server, resuming its stored session.
    pub(crate) fn reconnect(&mut self) {
        let stored = self.config.session().map(str::to_owned);
        let settings = self.settings.clone().map(|f| (f, self.config.clone()));
        self.net.connect(stored, settings);
    }

    /// Whether the server in use is the embedded one.
    pub fn uses_embedded(&self) -> bool {
        self.config.server_key() == EMBEDDED
    }

    /// Remembers window/level, layout and overlay opacity for the next start.
    pub fn remember_view(&mut self) {
        let w = self.view.window;
        self.config.window_level = Some([w.center, w.width]);
        self.config.single_view = self.view.layout == crate::view::Layout::Single;
        self.config.label_opacity = Some(self.view.label_opacity);
        if let Some(file) = self.settings.clone() {
            let config = self.config.clone();
            std::thread::spawn(move || {
                if let Err(err) = file.save(&config) {
                    tracing::warn!("cannot save the viewer settings: {err}");
                }
            });
        }
    }
}
