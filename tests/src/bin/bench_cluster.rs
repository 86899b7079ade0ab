//! Three nodes behind plain round-robin against one node, on this machine: each user's session
//! is created on one node and every later request goes to the next node in turn, so two of
//! three are forwarded to the owner. Reports throughput, p50/p99 per route, split into
//! requests the owner got directly and requests that took the extra hop, and errors. Starts
//! its own `redis-server` (it must be installed). Run it with:
//!
//!     cargo run --release -p interseg-tests --bin bench-cluster -- [--users 16] [--seconds 20]

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use interseg_tests::TestServer;
use interseg_tests::cluster::RedisServer;
use interseg_tests::phantom::{Ball, Phantom};
use reqwest::StatusCode;

/// Each user's scan: 128×128×64 int16, a few balls.
const DIMS: [usize; 3] = [128, 128, 64];

/// Latencies per (route, hop) and the errors.
#[derive(Default)]
struct Tally {
    latencies: BTreeMap<(&'static str, &'static str), Vec<Duration>>,
    errors: BTreeMap<String, usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (mut users, mut seconds) = (16usize, 20u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--users" => users = args.next().context("--users N")?.parse()?,
            "--seconds" => seconds = args.next().context("--seconds N")?.parse()?,
            other => anyhow::bail!("unknown argument {other}; use --users N or --seconds N"),
        }
    }
    let balls: Vec<Ball> = (0..3)
        .map(|n| Ball {
            center: [30.0 + 30.0 * f64::from(n), 64.0, 32.0],
            radius: 9.0,
        })
        .collect();
    let file = Arc::new(Phantom::balls(DIMS, &balls, 7).to_nii_gz([0.8, 0.8, 1.0]));
    for nodes in [1, 3] {
        let redis = if nodes > 1 {
            Some(RedisServer::start().await?)
        } else {
            None
        };
        let data = tempfile::tempdir()?;
        let mut servers = Vec::new();
        for _ in 0..nodes {
            let url = redis.as_ref().map(|r| r.url.clone());
            servers.push(TestServer::spawn_in(data.path(), |c| c.redis_url = url).await?);
        }
        let tally = run(&servers, users, seconds, &file, &balls).await?;
        report(nodes, users, seconds, &tally);
    }
    Ok(())
}

async fn run(
    servers: &[TestServer],
    users: usize,
    seconds: u64,
    file: &Arc<Vec<u8>>,
    balls: &[Ball],
) -> anyhow::Result<Tally> {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for user in 0..users {
        let owner = user % servers.len();
        let session = servers[owner].new_session().await?;
        session.upload_bytes("scan.nii.gz", file.to_vec()).await?;
        let clients: Vec<_> = servers
            .iter()
            .map(|s| s.client_for(&session.session_id))
            .collect();
        let (tally, balls) = (Arc::clone(&tally), balls.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut turn = user;
            while Instant::now() < deadline {
                turn += 1;
                let via = turn % clients.len();
                let hop = if via == owner { "direct" } else { "forwarded" };
                let client = &clients[via];
                let [i, j, k] = balls[turn % balls.len()].center_voxel();
                let t = Instant::now();
                let (status, _) = client.get_bytes(&format!("/api/slice/2/{k}")).await?;
                record(&tally, ("GET /api/slice", hop), t.elapsed(), status);
                if turn.is_multiple_of(8) {
                    let body = serde_json::json!({
                        "label": 1, "include": true,
                        "point": {"axis": 2, "slice_index": k, "x": j, "y": i},
                    });
                    let t = Instant::now();
                    let answer = client.post_json("/api/prompts", &body).await?;
                    record(
                        &tally,
                        ("POST /api/prompts", hop),
                        t.elapsed(),
                        answer.status,
                    );
                    let t = Instant::now();
                    let answer = client.post("/api/run_segmentation").await?;
                    record(
                        &tally,
                        ("POST /api/run_segmentation", hop),
                        t.elapsed(),
                        answer.status,
                    );
                    let t = Instant::now();
                    let (status, _) = client.get_bytes("/api/download/segmentation").await?;
                    record(&tally, ("GET /api/download", hop), t.elapsed(), status);
                }
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let tally = Arc::try_unwrap(tally)
        .map_err(|_| anyhow::anyhow!("users still running"))?
        .into_inner()
        .map_err(|_| anyhow::anyhow!("poisoned"))?;
    Ok(tally)
}

fn record(
    tally: &Mutex<Tally>,
    key: (&'static str, &'static str),
    took: Duration,
    status: StatusCode,
) {
    if let Ok(mut t) = tally.lock() {
        t.latencies.entry(key).or_default().push(took);
        if status != StatusCode::OK {
            *t.errors.entry(format!("{} {status}", key.0)).or_default() += 1;
        }
    }
}

fn report(nodes: usize, users: usize, seconds: u64, tally: &Tally) {
    let requests: usize = tally.latencies.values().map(Vec::len).sum();
    println!(
        "{nodes} node(s), {users} users, {seconds} s: {requests} requests ({:.0}/s), errors {}",
        requests as f64 / seconds as f64,
        tally.errors.values().sum::<usize>()
    );
    for (what, n) in &tally.errors {
        println!("  error: {what} ×{n}");
    }
    println!(
        "{:<28} {:<10} {:>8} {:>9} {:>9}",
        "route", "hop", "count", "p50 ms", "p99 ms"
    );
    for ((route, hop), latencies) in &tally.latencies {
        let mut sorted = latencies.clone();
        sorted.sort();
        let at = |q: f64| {
            let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
            sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{route:<28} {hop:<10} {:>8} {:>9.2} {:>9.2}",
            sorted.len(),
            at(0.5),
            at(0.99)
        );
    }
}
