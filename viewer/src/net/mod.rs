//! The background side of the viewer: every server call runs on a small tokio runtime and
//! reports back as an [`Event`] through a channel, then asks egui to repaint. The UI thread
//! only ever sends requests and reads answers.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use interseg_shared::api::points::PointsResponse;
use interseg_shared::api::prompts::{PromptsResponse, SliceBox, SlicePoint};
use interseg_shared::api::segmentation::JobState;
use tokio::task::AbortHandle;

use crate::client::volume::{Progress, UploadSource};
use crate::client::{ClientError, ServerClient, SessionId};
use crate::config::{ConfigFile, ViewerConfig};

mod event;
mod loading;

use crate::gpu_bridge::GpuBridge;
use crate::volume_data::VolumeData;
pub use event::{Event, PromptCall};
use interseg_shared::naming::LabelNaming;
use loading::{labels_on_gpu, load_everything};

/// How often a running job is polled, and a lost server retried.
const JOB_POLL: Duration = Duration::from_millis(100);
const RECONNECT_EVERY: Duration = Duration::from_secs(2);

/// Sends events tagged with the session generation they belong to.
#[derive(Clone)]
pub(crate) struct Reporter {
    sender: mpsc::Sender<(u64, Event)>,
    ctx: egui::Context,
    pub(crate) generation: u64,
}

impl Reporter {
    pub(crate) fn send(&self, event: Event) {
        // The window may have closed meanwhile; then nobody needs the answer.
        self.sender.send((self.generation, event)).ok();
        self.ctx.request_repaint();
    }
}

/// The viewer's link to its server.
pub struct Net {
    runtime: tokio::runtime::Runtime,
    client: ServerClient,
    session: Option<SessionId>,
    sender: mpsc::Sender<(u64, Event)>,
    receiver: mpsc::Receiver<(u64, Event)>,
    ctx: egui::Context,
    /// Bumped when the session changes, so late answers for the old one are dropped.
    generation: u64,
    reconnecting: Arc<AtomicBool>,
    /// Where volumes and labels go once fetched (written off the UI thread).
    gpu: GpuBridge,
}

impl Net {
    pub fn new(ctx: egui::Context, client: ServerClient, gpu: GpuBridge) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("interseg-viewer-net")
            .enable_all()
            .build()?;
        let (sender, receiver) = mpsc::channel();
        Ok(Self {
            runtime,
            client,
            session: None,
            sender,
            receiver,
            ctx,
            generation: 0,
            reconnecting: Arc::new(AtomicBool::new(false)),
            gpu,
        })
    }

    /// A new session generation: answers still due for the old one are dropped, and none of
    /// them reaches the GPU any more.
    fn next_generation(&mut self) {
        self.session = None;
        self.generation += 1;
        self.gpu.switch_to(self.generation);
    }

    pub fn client(&self) -> &ServerClient {
        &self.client
    }

    pub fn session(&self) -> Option<SessionId> {
        self.session
    }

    /// Events of the current session that have arrived.
    pub fn poll(&self) -> Vec<Event> {
        self.receiver
            .try_iter()
            .filter(|(generation, _)| *generation == self.generation)
            .map(|(_, event)| event)
            .collect()
    }

    fn reporter(&self) -> Reporter {
        Reporter {
            sender: self.sender.clone(),
            ctx: self.ctx.clone(),
            generation: self.generation,
        }
    }

    fn spawn<F>(&self, work: impl FnOnce(ServerClient, Reporter) -> F) -> AbortHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.runtime
            .spawn(work(self.client.clone(), self.reporter()))
            .abort_handle()
    }

    /// Switches to another server (dropping answers still due from the old one).
    pub fn set_client(&mut self, client: ServerClient) {
        self.client = client;
        self.next_generation();
    }

    /// Resumes `stored` or starts a session; remembers it in `settings`.
    pub fn connect(
        &mut self,
        stored: Option<String>,
        settings: Option<(ConfigFile, ViewerConfig)>,
    ) {
        self.next_generation();
        self.spawn(|client, report| async move {
            let started = client.resume_or_create(stored.as_deref()).await;
            if let (Ok(start), Some((file, mut config))) = (&started, settings) {
                config.set_session(start.session_id());
                // A small file, but still I/O: off the runtime's threads too.
                let saved = tokio::task::spawn_blocking(move || file.save(&config)).await;
                if let Ok(Err(err)) = saved {
                    tracing::warn!("cannot save the viewer settings: {err}");
                }
            }
            report.send(Event::Session(started));
        });
    }

    /// Called when the session is known: loads its volume, prompts and result.
    pub fn session_ready(&mut self, id: SessionId) {
        self.session = Some(id);
        let gpu = self.gpu.clone();
        self.spawn(|client, report| async move {
            report.send(Event::Naming(client.naming(id).await));
            report.send(Event::Locks(client.locks(id).await));
            match client.status(id).await {
                Ok(status) if status.file_uploaded => {
                    if let Some(file) = status.file_info {
                        report.send(Event::FileName(file.filename));
                    }
                    load_everything(&client, id, &report, gpu).await;
                }
                Ok(_) => report.send(Event::NoVolume),
                Err(err) => report.send(Event::Volume(Err(err))),
            }
        });
    }

    /// Uploads a volume; the returned progress and handle let the UI show and cancel it.
    pub fn upload(&self, source: UploadSource) -> Option<(Arc<Progress>, AbortHandle)> {
        let id = self.session?;
        let progress = Arc::new(Progress::default());
        let sent = Arc::clone(&progress);
        let gpu = self.gpu.clone();
        let handle = self.spawn(|client, report| async move {
            let answer = client.upload(id, source, sent).await;
            let ok = answer.is_ok();
            report.send(Event::Uploaded(answer));
            if ok {
                load_everything(&client, id, &report, gpu).await;
            }
        });
        Some((progress, handle))
    }

    /// A call on our prompts, reported as `which`.
    pub fn prompts<F>(&self, which: PromptCall, call: impl FnOnce(ServerClient, SessionId) -> F)
    where
        F: Future<Output = Result<PromptsResponse, ClientError>> + Send + 'static,
    {
        self.session_call(call, move |answer| Event::Prompts {
            call: which,
            answer,
        });
    }

    /// Names the session's labels by `naming` (stored on the server).
    pub fn set_naming(&self, naming: LabelNaming) {
        self.session_call(
            move |client, id| async move { client.set_naming(id, naming).await },
            Event::Naming,
        );
    }

    /// Builds the surfaces of `labels` off the UI thread, keeping those of `before` whose
    /// label did not change; reported as the result shown `shown`-th.
    pub fn build_surfaces(
        &self,
        labels: Vec<u8>,
        volume: Arc<VolumeData>,
        before: Arc<crate::surfaces::Surfaces>,
        shown: u64,
    ) {
        self.spawn(move |_, report| async move {
            let built = tokio::task::spawn_blocking(move || {
                crate::surfaces::build(&labels, volume.dims(), &volume.info.affine, &before)
            })
            .await;
            match built {
                Ok(surfaces) => report.send(Event::Surfaces {
                    shown,
                    surfaces: Arc::new(surfaces),
                }),
                Err(err) => tracing::warn!("building the 3D surfaces failed: {err}"),
            }
        });
    }

    /// Fetches the session's locked labels again.
    pub fn refresh_locks(&self) {
        self.session_call(
            move |client, id| async move { client.locks(id).await },
            Event::Locks,
        );
    }

    /// Locks exactly `locked` (stored on the server): later runs keep those labels' voxels.
    pub fn set_locks(&self, locked: Vec<u8>) {
        self.session_call(
            move |client, id| async move { client.set_locks(id, &locked).await },
            Event::Locks,
        );
    }

    /// A call on the original API's points.
    pub fn legacy_points<F>(
        &self,
        which: PromptCall,
        call: impl FnOnce(ServerClient, SessionId) -> F,
    ) where
        F: Future<Output = Result<PointsResponse, ClientError>> + Send + 'static,
    {
        self.session_call(call, move |answer| Event::LegacyPoints {
            call: which,
            answer,
        });
    }

    /// Runs `call` in the current session (if any) and reports its answer as `event` says.
    fn session_call<T, F>(
        &self,
        call: impl FnOnce(ServerClient, SessionId) -> F,
        event: impl FnOnce(Result<T, ClientError>) -> Event + Send + 'static,
    ) where
        F: Future<Output = Result<T, ClientError>> + Send + 'static,
    {
        let Some(id) = self.session else {
            return;
        };
        let future = call(self.client.clone(), id);
        self.spawn(|_, report| async move {
            report.send(event(future.await));
        });
    }

    pub fn add_point(&self, label: u8, include: bool, point: SlicePoint) {
        self.prompts(PromptCall::Mark, move |client, id| async move {
            client.add_point(id, label, include, point).await
        });
    }

    pub fn add_box(&self, label: u8, include: bool, rect: SliceBox) {
        self.prompts(PromptCall::Mark, move |client, id| async move {
            client.add_box(id, label, include, rect).await
        });
    }

    /// Starts a segmentation job and follows it to the end, then fetches the labels.
    pub fn segment(&self) {
        let Some(id) = self.session else {
            return;
        };
        let gpu = self.gpu.clone();
        self.spawn(|client, report| async move {
            let mut job = match client.start_job(id).await {
                Ok(job) => job,
                Err(err) => return report.send(Event::Job(Err(err))),
            };
            while job.state == JobState::Running {
                report.send(Event::Job(Ok(job.clone())));
                tokio::time::sleep(JOB_POLL).await;
                job = match client.job(id, job.job_id).await {
                    Ok(job) => job,
                    Err(err) => return report.send(Event::Job(Err(err))),
                };
            }
            let done = job.state == JobState::Done;
            report.send(Event::Job(Ok(job)));
            if done && let Some(labels) = labels_on_gpu(&client, id, report.generation, gpu).await {
                report.send(Event::Labels(labels));
            }
        });
    }

    pub fn cancel_job(&self, job_id: u64) {
        let Some(id) = self.session else {
            return;
        };
        self.spawn(|client, _| async move {
            if let Err(err) = client.cancel_job(id, job_id).await {
                tracing::warn!("cannot cancel job {job_id}: {err}");
            }
        });
    }

    pub fn save(&self, target: PathBuf, meshes: bool) {
        let Some(id) = self.session else {
            return;
        };
        self.spawn(|client, report| async move {
            report.send(Event::Saved(client.save_result(id, &target, meshes).await));
        });
    }

    /// Asks for a file to open in the platform's dialog (off the UI thread).
    pub fn pick_open(&self) {
        self.spawn(|_, report| async move {
            let picked = tokio::task::spawn_blocking(|| {
                rfd::FileDialog::new()
                    .set_title("Open a volume")
                    .add_filter("Volumes", &["nii", "gz", "dcm", "zip"])
                    .pick_file()
            })
            .await
            .ok()
            .flatten();
            report.send(Event::OpenPicked(picked));
        });
    }

    pub fn pick_save(&self, suggested: String) {
        self.spawn(|_, report| async move {
            let picked = tokio::task::spawn_blocking(move || {
                rfd::FileDialog::new()
                    .set_title("Save the segmentation")
                    .set_file_name(suggested)
                    .save_file()
            })
            .await
            .ok()
            .flatten();
            report.send(Event::SavePicked(picked));
        });
    }

    /// After a failed call: polls the server until it answers, then reports it back.
    pub fn watch_connection(&self) {
        if self.reconnecting.swap(true, Ordering::SeqCst) {
            return;
        }
        let flag = Arc::clone(&self.reconnecting);
        let id = self.session;
        self.spawn(|client, report| async move {
            loop {
                tokio::time::sleep(RECONNECT_EVERY).await;
                let answer = match id {
                    Some(id) => client.status(id).await.map(|_| ()),
                    None => client.ping().await,
                };
                match answer {
                    Err(err) if err.is_connection_lost() => continue,
                    _ => break,
                }
            }
            flag.store(false, Ordering::SeqCst);
            report.send(Event::Reconnected);
        });
    }
}
