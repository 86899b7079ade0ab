//! What cluster tests and the cluster benchmark run besides interseg nodes: a real
//! `redis-server` on a free loopback port, and a plain round-robin front (a load balancer that
//! knows nothing of sessions), built on the nodes' own forwarding proxy.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use interseg_server::cluster::forward::Forwarder;

/// A `redis-server` of its own, stopped when dropped.
pub struct RedisServer {
    child: Child,
    pub url: String,
}

impl RedisServer {
    /// Starts one (it must be installed: `scripts/test` installs it) and waits until it
    /// answers.
    pub async fn start() -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .context("redis-server must be installed (scripts/test installs it)")?;
        let server = Self {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(server)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A front that sends each request to the next node in turn, whatever its session.
pub struct RoundRobin {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

struct Targets {
    nodes: Vec<String>,
    next: AtomicUsize,
    forwarder: Forwarder,
}

impl RoundRobin {
    /// Listens on 127.0.0.1:0 in front of `nodes` (their base URLs).
    pub async fn start(nodes: Vec<String>) -> anyhow::Result<Self> {
        let targets = Arc::new(Targets {
            nodes,
            next: AtomicUsize::new(0),
            forwarder: Forwarder::default(),
        });
        let app = axum::Router::new().fallback(pass_on).with_state(targets);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Ok(Self { url, task })
    }
}

impl Drop for RoundRobin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pass_on(State(targets): State<Arc<Targets>>, request: Request) -> Response {
    let n = targets.next.fetch_add(1, Ordering::Relaxed) % targets.nodes.len();
    match targets
        .forwarder
        .forward(&targets.nodes[n], request.map(Body::new), None)
        .await
    {
        Ok(response) => response,
        Err(err) => (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    }
}
