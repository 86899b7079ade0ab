//! `AppState`: what every handler can reach, cheap to clone.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::cluster::Cluster;
use crate::config::{Config, EngineKind, NoDataDir, OrtProvider};
use crate::metrics::Metrics;
use crate::routes::rate::{ClientLimiter, limiter};
use crate::segmentation::Engine;
use crate::segmentation::classical::ClassicalEngine;
use crate::segmentation::onnx::{OnnxConfig, OnnxEngine, OnnxError};
use crate::session::run::Runner;
use crate::session::{SessionStore, StoreError};
use crate::tls::{self, TlsError};
use crate::volume::LoadLimits;
use tokio_rustls::TlsAcceptor;

#[derive(Clone)]
pub struct AppState {
    pub sessions: SessionStore,
    pub config: Arc<Config>,
    pub engine: Arc<dyn Engine>,
    /// Bounds the segmentation runs in flight, so that slice requests stay fast under load.
    pub segmentation_slots: Arc<Semaphore>,
    pub metrics: Arc<Metrics>,
    /// `--rate-limit`, per client address; `None` when there is no limit.
    pub rate_limiter: Option<Arc<ClientLimiter>>,
    /// Set when the server speaks HTTPS (`--tls-cert`, `--tls-key`).
    pub tls: Option<TlsAcceptor>,
    /// Set in cluster mode (`--redis-url`), once the node has joined (see [`crate::run`]).
    pub cluster: Option<Arc<Cluster>>,
}

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    NoDataDir(#[from] NoDataDir),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("--engine onnx needs {0}")]
    EngineConfig(&'static str),
    #[error(transparent)]
    Onnx(#[from] OnnxError),
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// The engine the configuration asks for, loaded and checked.
fn engine_for(config: &Config) -> Result<Arc<dyn Engine>, StartupError> {
    Ok(match config.engine {
        EngineKind::Classical => Arc::new(ClassicalEngine::default()),
        EngineKind::Onnx => {
            let model = config
                .model
                .clone()
                .ok_or(StartupError::EngineConfig("--model PATH"))?;
            let runtime_library = config
                .ort_lib
                .clone()
                .ok_or(StartupError::EngineConfig("--ort-lib PATH"))?;
            let engine = OnnxEngine::load(&OnnxConfig {
                model,
                runtime_library,
                threads: config.engine_threads(),
                cuda: config.ort_provider == OrtProvider::Cuda,
            })?;
            tracing::info!(patch = ?engine.patch(), "ONNX engine loaded");
            Arc::new(engine)
        }
    })
}

impl AppState {
    /// Opens the session store in the configured data dir (taking back the sessions a previous
    /// run left there). Blocking.
    pub fn open(config: Config) -> Result<Self, StartupError> {
        let data_dir = config.resolved_data_dir()?;
        let limits = LoadLimits {
            max_voxels: config.max_voxels,
        };
        let root = data_dir.join("sessions");
        // In a cluster the folder is shared: each node takes back only what it comes to own.
        let sessions = if config.redis_url.is_some() {
            SessionStore::open_shared(&root, limits, config.session_timeout())?
        } else {
            SessionStore::open(&root, limits, config.session_timeout())?
        };
        sessions.limit_to(config.max_sessions);
        sessions.memory().set_budget(config.memory_budget_bytes());
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
            _ => None,
        };
        Ok(Self {
            cluster: None,
            tls,
            sessions,
            segmentation_slots: Arc::new(Semaphore::new(config.segmentation_slots())),
            metrics: Arc::default(),
            rate_limiter: limiter(config.rate_limit).map(Arc::new),
            engine: engine_for(&config)?,
            config: Arc::new(config),
        })
    }

    /// What a segmentation run needs from the server.
    pub fn runner(&self) -> Runner<'_> {
        Runner {
            engine: &self.engine,
            slots: &self.segmentation_slots,
            metrics: &self.metrics,
        }
    }

    pub fn limits(&self) -> LoadLimits {
        LoadLimits {
            max_voxels: self.config.max_voxels,
        }
    }
}
