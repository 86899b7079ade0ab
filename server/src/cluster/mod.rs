//! Many servers behind one URL (`--redis-url`). Nodes share the data dir and a Redis: Redis
//! says which node owns each session (a lease the owner renews), and only the owner holds a
//! session in memory and writes its files. A request for a session another live node owns is
//! forwarded to it ([`forward`]); a session whose owner died is taken over, once its lease
//! lapses, by whichever node a request reaches first, and reopened from the shared files.
//! Without `--redis-url` none of this exists and a node runs alone.

pub mod forward;
pub mod registry;
pub mod tasks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};
use interseg_shared::ids::SessionId;

use self::forward::{ForwardError, Forwarder};
use self::registry::{Registry, RegistryError};
use crate::config::Config;
use crate::session::{Session, SessionStore, StoreError};

/// How often a node's heartbeat and lease renewals run, as a fraction of the lease.
const BEATS_PER_LEASE: u32 = 3;
/// Owners remembered before the stale ones are swept out.
const MAX_REMEMBERED: usize = 4096;
/// How often a node looks again whether a dead owner's lease has lapsed.
const LAPSE_POLL: Duration = Duration::from_millis(100);

/// Cluster work failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Forward(#[from] ForwardError),
    #[error("cluster mode needs --advertise-url when listening on {0}")]
    NoAdvertiseUrl(SocketAddr),
    /// Owners kept changing while this node looked for one.
    #[error("the session is moving between servers")]
    Moving,
    #[error("a background task failed: {0}")]
    Task(String),
}

/// This node's place in the cluster.
pub struct Cluster {
    /// This node's id: random for each process, so a restarted node is a new one.
    pub node: String,
    /// Where other nodes reach this one.
    pub url: String,
    pub lease: Duration,
    /// The cluster's shared secret: marks requests forwarded between nodes. Read again every
    /// beat (a Redis that restarted empty gets a new one, and every node learns it).
    key: std::sync::RwLock<String>,
    registry: Registry,
    forwarder: Forwarder,
    /// Where sessions held elsewhere were found, for a beat: forwarded requests ask Redis
    /// once per session and beat, not once per request.
    owners: Mutex<HashMap<SessionId, (String, Instant)>>,
}

/// Where a session is served.
pub enum Located {
    /// Here: this node holds its lease and the session.
    Here(Arc<Session>),
    /// By the live node at this URL.
    There(String),
    /// Nowhere: no such session.
    Nowhere,
}

impl Cluster {
    /// Joins the cluster of `config.redis_url` (which must be set) as a new node listening on
    /// `listening`.
    pub async fn join(config: &Config, listening: SocketAddr) -> Result<Arc<Self>, ClusterError> {
        let redis_url = config.redis_url.as_deref().unwrap_or_default();
        let url = match &config.advertise_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if listening.ip().is_unspecified() => {
                return Err(ClusterError::NoAdvertiseUrl(listening));
            }
            None => format!("http://{listening}"),
        };
        let registry = Registry::connect(redis_url).await?;
        let key = registry.cluster_key().await?;
        let cluster = Self {
            key: std::sync::RwLock::new(key),
            node: uuid::Uuid::new_v4().simple().to_string(),
            url,
            lease: Duration::from_millis(config.lease_ms.max(300)),
            registry,
            forwarder: Forwarder::default(),
            owners: Mutex::new(HashMap::new()),
        };
        cluster.beat().await?;
        tracing::info!(node = %cluster.node, url = %cluster.url, "joined the cluster");
        Ok(Arc::new(cluster))
    }

    /// The time between heartbeats.
    pub fn beat_period(&self) -> Duration {
        self.lease / BEATS_PER_LEASE
    }

    /// Says this node is alive for one more lease.
    async fn beat(&self) -> Result<(), RegistryError> {
        self.registry
            .heartbeat(&self.node, &self.url, self.lease)
            .await
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Where session `id` is served. A session nobody owns is taken over: this node takes its
    /// lease and reopens it from the shared files.
    pub async fn locate(
        &self,
        id: SessionId,
        store: &SessionStore,
    ) -> Result<Located, ClusterError> {
        if let Some(session) = store.get(id) {
            return Ok(Located::Here(session));
        }
        if let Some(url) = self.cached_owner(id) {
            return Ok(Located::There(url));
        }
        for _ in 0..3 {
            match self.registry.owner(id).await? {
                Some(owner) if owner == self.node => return self.adopt(id, store).await,
                Some(owner) => match self.registry.node_url(&owner).await? {
                    Some(url) => {
                        self.remember_owner(id, &url);
                        return Ok(Located::There(url));
                    }
                    // Its owner died: the lease lapses within one lease.
                    None => self.await_lapse(id).await?,
                },
                None => {
                    if self.registry.acquire(id, &self.node, self.lease).await? {
                        return self.adopt(id, store).await;
                    }
                }
            }
        }
        Err(ClusterError::Moving)
    }

    fn owners(&self) -> MutexGuard<'_, HashMap<SessionId, (String, Instant)>> {
        // Entries are whole or absent: a poisoned lock is taken over.
        self.owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The owner's URL found within the last beat, if any.
    fn cached_owner(&self, id: SessionId) -> Option<String> {
        let mut owners = self.owners();
        match owners.get(&id) {
            Some((url, until)) if *until > Instant::now() => Some(url.clone()),
            Some(_) => {
                owners.remove(&id);
                None
            }
            None => None,
        }
    }

    fn remember_owner(&self, id: SessionId, url: &str) {
        let now = Instant::now();
        let mut owners = self.owners();
        if owners.len() >= MAX_REMEMBERED {
            owners.retain(|_, (_, until)| *until > now);
        }
        owners.insert(id, (url.to_owned(), now + self.beat_period()));
    }

    /// Forgets where session `id` was found (its owner stopped answering), and old entries.
    pub fn forget_owner(&self, id: SessionId) {
        let now = Instant::now();
        let mut owners = self.owners();
        owners.remove(&id);
        owners.retain(|_, (_, until)| *until > now);
    }

    /// Reopens a session whose lease this node holds from the shared files.
    async fn adopt(&self, id: SessionId, store: &SessionStore) -> Result<Located, ClusterError> {
        let reopen = store.clone();
        let adopted = tokio::task::spawn_blocking(move || reopen.adopt(id))
            .await
            .map_err(|err| ClusterError::Task(err.to_string()))??;
        match adopted {
            Some(session) => {
                tracing::info!(session = %id.short(), "session taken over");
                Ok(Located::Here(session))
            }
            None => {
                // No files: no such session (or a registry entry its deletion left behind).
                self.registry.release(id, &self.node).await?;
                Ok(Located::Nowhere)
            }
        }
    }

    /// Waits until the lease on `id` lapses (its owner stopped answering), for at most one
    /// lease and a little more.
    pub async fn await_lapse(&self, id: SessionId) -> Result<(), ClusterError> {
        self.forget_owner(id);
        let deadline = tokio::time::Instant::now() + self.lease + self.beat_period();
        let Some(silent) = self.registry.owner(id).await? else {
            return Ok(());
        };
        while tokio::time::Instant::now() < deadline {
            // Lapsed, or another node took the session over already.
            if self
                .registry
                .owner(id)
                .await?
                .is_none_or(|owner| owner != silent)
            {
                return Ok(());
            }
            tokio::time::sleep(LAPSE_POLL).await;
        }
        Ok(())
    }

    /// Records a session this node just created: its lease and its place in the list.
    pub async fn created(&self, id: SessionId) -> Result<(), ClusterError> {
        self.registry.acquire(id, &self.node, self.lease).await?;
        self.registry.register(id).await?;
        Ok(())
    }

    /// Forgets a session this node deleted.
    pub async fn deleted(&self, id: SessionId) -> Result<(), ClusterError> {
        self.registry.forget(id).await?;
        self.registry.release(id, &self.node).await?;
        Ok(())
    }

    /// Whether another node of this cluster forwarded the request with these headers.
    pub fn forwarded(&self, headers: &axum::http::HeaderMap) -> bool {
        let key = self.key();
        headers
            .get(forward::FORWARDED_HEADER)
            .is_some_and(|mark| same_secret(mark.as_bytes(), key.as_bytes()))
    }

    fn key(&self) -> String {
        self.key
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reads the cluster's secret again (see `key`).
    async fn refresh_key(&self) -> Result<(), RegistryError> {
        let key = self.registry.cluster_key().await?;
        *self
            .key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = key;
        Ok(())
    }

    /// Sends `request` to the node at `url`.
    pub async fn forward(
        &self,
        url: &str,
        request: Request<Body>,
    ) -> Result<Response<Body>, ForwardError> {
        let key = self.key();
        self.forwarder.forward(url, request, Some(&key)).await
    }

    /// Leaves the cluster: writes down when each session was last used, gives up every lease
    /// (other nodes take the sessions over at once) and the node's registration.
    pub async fn leave(&self, store: &SessionStore) {
        let flush = store.clone();
        tokio::task::spawn_blocking(move || flush.flush_activity())
            .await
            .ok();
        for id in store.ids() {
            store.release(id);
            if let Err(err) = self.registry.release(id, &self.node).await {
                tracing::warn!(session = %id.short(), "could not release the lease: {err}");
            }
        }
        if let Err(err) = self.registry.leave(&self.node).await {
            tracing::warn!("could not leave the cluster: {err}");
        }
        tracing::info!(node = %self.node, "left the cluster");
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}
