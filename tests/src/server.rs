//! A real interseg server on an ephemeral port, and a small client bound to one session.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use interseg_server::{AppState, Config};
use interseg_shared::api::SESSION_HEADER;
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

/// A server running in this process on 127.0.0.1:0, with a data dir of its own.
pub struct TestServer {
    pub addr: SocketAddr,
    /// `http`, or `https` for a server started with TLS.
    pub scheme: &'static str,
    pub data_dir: PathBuf,
    pub http: reqwest::Client,
    _temp: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Starts a server with the default configuration.
    pub async fn spawn() -> anyhow::Result<Self> {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after `configure` adjusted its configuration.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        let temp = tempfile::tempdir()?;
        let mut server = Self::spawn_in(temp.path(), configure).await?;
        server._temp = Some(temp);
        Ok(server)
    }

    /// Starts a server that speaks HTTPS with `certificates`; its client trusts their CA.
    pub async fn spawn_tls(certificates: &crate::tls::TestCertificates) -> anyhow::Result<Self> {
        let mut server = Self::spawn_with(|config| {
            config.tls_cert = Some(certificates.cert());
            config.tls_key = Some(certificates.key());
        })
        .await?;
        let ca = reqwest::Certificate::from_pem(&std::fs::read(certificates.ca())?)?;
        server.http = reqwest::Client::builder()
            .add_root_certificate(ca)
            .build()?;
        Ok(server)
    }

    /// Starts a server on an existing data dir (to test restarts).
    pub async fn spawn_in(
        data_dir: &Path,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        Self::spawn_at(data_dir, ([127, 0, 0, 1], 0).into(), configure).await
    }

    /// Starts a server on an existing data dir and a given address (to come back where a
    /// stopped one was).
    pub async fn spawn_at(
        data_dir: &Path,
        addr: SocketAddr,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let mut config = Config::with_data_dir(data_dir);
        configure(&mut config);
        let scheme = if config.tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        let state = tokio::task::spawn_blocking(move || AppState::open(config)).await??;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(interseg_server::run(listener, state, async {
            stopped.await.ok();
        }));
        Ok(Self {
            addr,
            scheme,
            data_dir: data_dir.to_path_buf(),
            http: reqwest::Client::new(),
            _temp: None,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn url(&self, path: &str) -> String {
        // By name, so that a certificate for `localhost` fits.
        let host = if self.scheme == "https" {
            format!("localhost:{}", self.addr.port())
        } else {
            self.addr.to_string()
        };
        format!("{}://{host}{path}", self.scheme)
    }

    /// A GET with no session header (server-wide routes: `/healthz`, `/api/sessions`).
    pub async fn get(&self, path: &str) -> anyhow::Result<Answer> {
        Answer::from(self.http.get(self.url(path)).send().await?).await
    }

    /// Creates a session and returns a client bound to it.
    pub async fn new_session(&self) -> anyhow::Result<SessionClient> {
        let body: Value = self
            .http
            .post(self.url("/api/session"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = body["session_id"]
            .as_str()
            .context("no session_id")?
            .to_owned();
        Ok(self.client_for(&id))
    }

    /// A new session holding a small NIfTI volume (a nibabel fixture), and the upload's
    /// answer: what a bad upload must leave intact.
    pub async fn session_with_volume(&self) -> anyhow::Result<(SessionClient, Answer)> {
        let session = self.new_session().await?;
        let good = session
            .upload_file(&crate::fixtures::dir().join("int16_le_raw.nii.gz"))
            .await?;
        anyhow::ensure!(good.status == StatusCode::OK, "upload: {}", good.json);
        Ok((session, good))
    }

    pub fn client_for(&self, session_id: &str) -> SessionClient {
        SessionClient {
            base: self.url(""),
            http: self.http.clone(),
            session_id: session_id.to_owned(),
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}

/// A client that sends one session's id with every request.
#[derive(Clone)]
pub struct SessionClient {
    pub base: String,
    pub http: reqwest::Client,
    pub session_id: String,
}

/// A response's status and JSON body.
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
}

impl Answer {
    async fn from(response: Response) -> anyhow::Result<Self> {
        let status = response.status();
        let text = response.text().await?;
        let json =
            serde_json::from_str(&text).with_context(|| format!("not JSON ({status}): {text}"))?;
        Ok(Self { status, json })
    }

    /// The error detail; panics (in a test) if there is none.
    pub fn detail(&self) -> &str {
        self.json["detail"]
            .as_str()
            .unwrap_or_else(|| panic!("no detail in {}", self.json))
    }
}

impl SessionClient {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Answer> {
        Answer::from(
            self.http
                .get(self.url(path))
                .header(SESSION_HEADER, &self.session_id)
                .send()
                .await?,
        )
        .await
    }

    pub async fn get_bytes(&self, path: &str) -> anyhow::Result<(StatusCode, Vec<u8>)> {
        let response = self
            .http
            .get(self.url(path))
            .header(SESSION_HEADER, &self.session_id)
            .send()
            .await?;
        Ok((response.status(), response.bytes().await?.to_vec()))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> anyhow::Result<Answer> {
        let response = self
            .http
            .post(self.url(path))
            .header(SESSION_HEADER, &self.session_id)
            .json(body)
            .send()
            .await?;
        Answer::from(response).await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> anyhow::Result<Answer> {
        let response = self
            .http
            .put(self.url(path))
            .header(SESSION_HEADER, &self.session_id)
            .json(body)
            .send()
            .await?;
        Answer::from(response).await
    }

    pub async fn post(&self, path: &str) -> anyhow::Result<Answer> {
        Answer::from(
            self.http
                .post(self.url(path))
                .header(SESSION_HEADER, &self.session_id)
                .send()
                .await?,
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> anyhow::Result<Answer> {
        Answer::from(
            self.http
                .delete(self.url(path))
                .header(SESSION_HEADER, &self.session_id)
                .send()
                .await?,
        )
        .await
    }

    /// Uploads `bytes` as the form field `file` named `filename`.
    pub async fn upload_bytes(&self, filename: &str, bytes: Vec<u8>) -> anyhow::Result<Answer> {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(filename.to_owned()));
        let response = self
            .http
            .post(self.url("/api/upload"))
            .header(SESSION_HEADER, &self.session_id)
            .multipart(form)
            .send()
            .await?;
        Answer::from(response).await
    }

    /// Uploads a file from disk under its own name.
    pub async fn upload_file(&self, path: &Path) -> anyhow::Result<Answer> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .context("file name")?;
        self.upload_bytes(name, std::fs::read(path)?).await
    }

    /// Marks a point; returns its number.
    pub async fn mark(
        &self,
        axis: usize,
        slice_index: usize,
        x: usize,
        y: usize,
    ) -> anyhow::Result<u64> {
        let answer = self
            .post_json(
                "/api/mark_point",
                &serde_json::json!({"axis": axis, "slice_index": slice_index, "point": {"x": x, "y": y}}),
            )
            .await?;
        anyhow::ensure!(
            answer.status == StatusCode::OK,
            "mark_point failed: {}",
            answer.json
        );
        answer.json["point_number"].as_u64().context("point_number")
    }
}
