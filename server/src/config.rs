//! The server's configuration: clap flags, each with an `INTERSEG_*` environment equivalent.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// interseg's session server: the original system's HTTP API plus our own endpoints.
#[derive(Clone, Debug, Parser)]
#[command(name = "interseg-server", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "INTERSEG_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// Where sessions are kept on disk (default: the platform's data dir).
    #[arg(long, env = "INTERSEG_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Idle time after which a session expires, in seconds.
    #[arg(long = "session-timeout", env = "INTERSEG_SESSION_TIMEOUT", default_value_t = 24 * 60 * 60)]
    pub session_timeout_secs: u64,

    /// Largest accepted upload, in bytes.
    #[arg(long, env = "INTERSEG_MAX_UPLOAD_BYTES", default_value_t = 500 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Largest accepted volume, in voxels (checked against the header before allocating).
    #[arg(long, env = "INTERSEG_MAX_VOXELS", default_value_t = 1 << 29)]
    pub max_voxels: u64,

    /// Decoded volumes kept in memory, in bytes (`8G`, `512M` and `0` for no budget; default:
    /// half the machine's memory). Past it, the volumes of the sessions used least recently
    /// are let go and decoded again from disk when next needed, keeping room for one more.
    #[arg(long, env = "INTERSEG_MEMORY_BUDGET", value_parser = parse_bytes)]
    pub memory_budget: Option<u64>,

    /// Requests per second one client (IP address) may make, with bursts of twice as many;
    /// past it, 429 with `Retry-After`. 0 (the default): no limit.
    #[arg(long, env = "INTERSEG_RATE_LIMIT", default_value_t = 0)]
    pub rate_limit: u32,

    /// Most sessions held at once; over it, creating one answers 503 with `Retry-After`.
    #[arg(long, env = "INTERSEG_MAX_SESSIONS", default_value_t = 1000)]
    pub max_sessions: usize,

    /// Seconds a connection may stay silent before its request's headers are complete (idle
    /// keep-alive connections included); then it is closed.
    #[arg(
        long = "idle-timeout",
        env = "INTERSEG_IDLE_TIMEOUT",
        default_value_t = 30
    )]
    pub idle_timeout_secs: u64,

    /// Seconds a request body (an upload) may stall without a byte arriving; then the request
    /// fails and its partial upload is removed.
    #[arg(
        long = "body-timeout",
        env = "INTERSEG_BODY_TIMEOUT",
        default_value_t = 60
    )]
    pub body_timeout_secs: u64,

    /// Token every API request must carry (`Authorization: Bearer …`), for a server shared
    /// over a network; none (the default) leaves the API open, as the original system was.
    /// Every route asks for it, the API description and health check included.
    #[arg(long, env = "INTERSEG_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,

    /// Serve HTTPS with this certificate chain (PEM; needs `--tls-key`).
    #[arg(long, env = "INTERSEG_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of `--tls-cert` (PEM).
    #[arg(long, env = "INTERSEG_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Token that unlocks full session ids in `GET /api/sessions` (`Authorization: Bearer …`).
    #[arg(long, env = "INTERSEG_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// The segmentation engine: `classical` (built in, needs nothing) or `onnx` (a network).
    #[arg(long, env = "INTERSEG_ENGINE", value_enum, default_value_t = EngineKind::Classical)]
    pub engine: EngineKind,

    /// The ONNX model for `--engine onnx` (nnInteractive's input convention; see the README).
    #[arg(long, env = "INTERSEG_MODEL")]
    pub model: Option<PathBuf>,

    /// ONNX Runtime's library for `--engine onnx` (`libonnxruntime.so`, e.g. from
    /// `pip install onnxruntime==1.31.1`, in `site-packages/onnxruntime/capi/`).
    #[arg(long, env = "INTERSEG_ORT_LIB")]
    pub ort_lib: Option<PathBuf>,

    /// Where `--engine onnx` runs: `cpu`, or `cuda` (needs the GPU build of ONNX Runtime,
    /// e.g. from `pip install onnxruntime-gpu`; without a usable GPU it falls back to the CPU).
    #[arg(long, env = "INTERSEG_ORT_PROVIDER", value_enum, default_value_t = OrtProvider::Cpu)]
    pub ort_provider: OrtProvider,

    /// Log lines as `text` (for people) or `json` (one object per line, for log collectors).
    #[arg(long, env = "INTERSEG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Threads for one engine run (default: the number of cores).
    #[arg(long, env = "INTERSEG_ENGINE_THREADS")]
    pub engine_threads: Option<usize>,

    /// Segmentation runs allowed at once across all sessions (default: the number of cores).
    #[arg(long, env = "INTERSEG_MAX_CONCURRENT_SEGMENTATIONS")]
    pub max_concurrent_segmentations: Option<usize>,

    /// Cluster mode: the Redis that registers nodes and session owners (`redis://host:6379`).
    /// Every node of a cluster shares it and the same `--data-dir`. Without it the server
    /// runs alone and needs no Redis.
    #[arg(long, env = "INTERSEG_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// Cluster mode: the URL other nodes reach this one at (default: `http://` and the
    /// address it listens on, which must then not be 0.0.0.0).
    #[arg(long, env = "INTERSEG_ADVERTISE_URL")]
    pub advertise_url: Option<String>,

    /// Cluster mode: how long a node owns a session without renewing it, in milliseconds.
    /// A node that dies loses its sessions to the others after this long.
    #[arg(long = "lease-ms", env = "INTERSEG_LEASE_MS", default_value_t = 5000)]
    pub lease_ms: u64,
}

/// Which segmentation engine serves the sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    Classical,
    Onnx,
}

/// `123`, `64K`, `512M`, `8G` or `1T` (powers of 1024) as bytes.
fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((at, unit)) if unit.is_ascii_alphabetic() => {
            let shift = match unit.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("'{text}': the unit is K, M, G or T")),
            };
            (&text[..at], shift)
        }
        _ => (text, 0),
    };
    let number: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a size such as 8G, 512M or 1048576"))?;
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("'{text}' is too large"))
}

/// Half the machine's memory, from `/proc/meminfo` (`None` where there is none).
fn half_the_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024 / 2)
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where ONNX Runtime runs the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OrtProvider {
    Cpu,
    Cuda,
}

/// No data dir was given and the platform has none.
#[derive(Debug, thiserror::Error)]
#[error("no --data-dir given and the platform has no data directory")]
pub struct NoDataDir;

impl Config {
    /// A configuration with every default and the given data dir (for tests and embedding).
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        let mut config = Self::parse_from(["interseg-server"]);
        config.data_dir = Some(data_dir.into());
        config
    }

    pub fn session_timeout(&self) -> Duration {
        Duration::from_secs(self.session_timeout_secs)
    }

    /// The memory budget in bytes; 0 means none.
    pub fn memory_budget_bytes(&self) -> usize {
        let bytes = self.memory_budget.or_else(half_the_memory).unwrap_or(0);
        usize::try_from(bytes).unwrap_or(usize::MAX)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs.max(1))
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs.max(1))
    }

    /// The data dir given, or the platform's (`~/.local/share/interseg` on Linux).
    pub fn resolved_data_dir(&self) -> Result<PathBuf, NoDataDir> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        directories::ProjectDirs::from("org", "interseg", "interseg")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or(NoDataDir)
    }

    pub fn engine_threads(&self) -> usize {
        self.engine_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
            .max(1)
    }

    pub fn segmentation_slots(&self) -> usize {
        self.max_concurrent_segmentations
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_or_without_a_unit() {
        assert_eq!(parse_bytes("1048576"), Ok(1 << 20));
        assert_eq!(parse_bytes("512M"), Ok(512 << 20));
        assert_eq!(parse_bytes("8g"), Ok(8 << 30));
        assert_eq!(parse_bytes(" 2 K "), Ok(2048));
        assert_eq!(parse_bytes("0"), Ok(0));
        assert!(parse_bytes("8X").is_err());
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999T").is_err());
    }
}
