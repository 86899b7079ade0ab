//! A bounded load test on loopback: many users at once, each in their own session, upload a
//! CT-sized scan, scroll through it, click and segment, for a fixed time, against one real
//! server. Reports requests and errors, p50/p99 latency per route, and peak resident memory
//! against the memory budget. Run it with:
//!
//!     cargo run --release -p interseg-tests --bin bench-load -- [--users 32] [--seconds 120]
//!
//! Errors are every answer but 200, except the server's deliberate limit answers (429, 503),
//! which are counted apart.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use interseg_tests::memory::resident_bytes;
use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::{SessionClient, TestServer};
use reqwest::StatusCode;

/// Each user's scan: 256×256×160 int16 (21 MB), a few bright balls on noise.
const DIMS: [usize; 3] = [256, 256, 160];
/// The server's memory budget for decoded volumes.
const BUDGET_BYTES: u64 = 512 << 20;

#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    errors: BTreeMap<String, usize>,
    limited: usize,
}

impl Tally {
    fn record(&mut self, route: &'static str, took: Duration, status: StatusCode) {
        self.latencies.entry(route).or_default().push(took);
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            self.limited += 1;
        } else if status != StatusCode::OK && status != StatusCode::ACCEPTED {
            *self.errors.entry(format!("{route} {status}")).or_default() += 1;
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (mut users, mut seconds) = (32usize, 120u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--users" => users = args.next().context("--users N")?.parse()?,
            "--seconds" => seconds = args.next().context("--seconds N")?.parse()?,
            other => anyhow::bail!("unknown argument {other}; use --users N or --seconds N"),
        }
    }
    let balls: Vec<Ball> = (0..6)
        .map(|n| Ball {
            center: [40.0 + 35.0 * f64::from(n), 128.0, 80.0],
            radius: 12.0,
        })
        .collect();
    let phantom = Phantom::balls(DIMS, &balls, 7);
    let file = Arc::new(phantom.to_nii_gz([0.5, 0.5, 0.8]));
    let server = TestServer::spawn_with(|c| c.memory_budget = Some(BUDGET_BYTES)).await?;
    let rss_start = resident_bytes()?;
    let peak = Arc::new(Mutex::new(rss_start));
    let sampler = {
        let peak = Arc::clone(&peak);
        tokio::spawn(async move {
            loop {
                if let Ok(rss) = resident_bytes()
                    && let Ok(mut p) = peak.lock()
                {
                    *p = (*p).max(rss);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for user in 0..users {
        let session = server.new_session().await?;
        let (file, tally, balls) = (Arc::clone(&file), Arc::clone(&tally), balls.clone());
        tasks.push(tokio::spawn(async move {
            one_user(user, &session, &file, &balls, deadline, &tally).await
        }));
    }
    for task in tasks {
        task.await??;
    }
    let wall = started.elapsed();
    sampler.abort();
    let peak = *peak.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;

    let tally = tally.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    let requests: usize = tally.latencies.values().map(Vec::len).sum();
    println!(
        "{users} users for {:.0} s on {}×{}×{} int16 scans (21 MB each), memory budget {} MiB",
        wall.as_secs_f64(),
        DIMS[0],
        DIMS[1],
        DIMS[2],
        BUDGET_BYTES >> 20
    );
    println!(
        "requests {requests} ({:.0}/s), errors {}, limit answers {}",
        requests as f64 / wall.as_secs_f64(),
        tally.errors.values().sum::<usize>(),
        tally.limited
    );
    for (what, n) in &tally.errors {
        println!("  error: {what} ×{n}");
    }
    println!(
        "{:<28} {:>8} {:>10} {:>10}",
        "route", "count", "p50 ms", "p99 ms"
    );
    for (route, latencies) in &tally.latencies {
        let mut sorted = latencies.clone();
        sorted.sort();
        let at = |q: f64| {
            let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
            sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{route:<28} {:>8} {:>10.1} {:>10.1}",
            sorted.len(),
            at(0.5),
            at(0.99)
        );
    }
    println!(
        "resident memory: {:.0} MiB at start, {:.0} MiB at peak (budget for volumes {} MiB)",
        rss_start as f64 / 1048576.0,
        peak as f64 / 1048576.0,
        BUDGET_BYTES >> 20
    );
    Ok(())
}

/// One user until the deadline: upload, then scroll, click on the next ball and segment,
/// over and over; every few rounds a new upload (a new scan).
async fn one_user(
    user: usize,
    session: &SessionClient,
    file: &[u8],
    balls: &[Ball],
    deadline: Instant,
    tally: &Mutex<Tally>,
) -> anyhow::Result<()> {
    let record = |route, took, status| {
        if let Ok(mut t) = tally.lock() {
            t.record(route, took, status);
        }
    };
    let mut round = 0usize;
    while Instant::now() < deadline {
        if round.is_multiple_of(8) {
            let t = Instant::now();
            let answer = session.upload_bytes("scan.nii.gz", file.to_vec()).await?;
            record("POST /api/upload", t.elapsed(), answer.status);
        }
        // Scroll a few slices around the ball.
        let ball = balls[(user + round) % balls.len()];
        let [i, j, k] = ball.center_voxel();
        for dk in 0..6 {
            let t = Instant::now();
            let (status, _) = session
                .get_bytes(&format!("/api/slice/2/{}", k + dk))
                .await?;
            record("GET /api/slice", t.elapsed(), status);
        }
        let t = Instant::now();
        let body = serde_json::json!({
            "label": (round % 4) + 1,
            "include": true,
            "point": {"axis": 2, "slice_index": k, "x": j, "y": i},
        });
        let answer = session.post_json("/api/prompts", &body).await?;
        record("POST /api/prompts", t.elapsed(), answer.status);
        let t = Instant::now();
        let answer = session.post("/api/run_segmentation").await?;
        record("POST /api/run_segmentation", t.elapsed(), answer.status);
        let t = Instant::now();
        let (status, _) = session.get_bytes("/api/download/segmentation").await?;
        record("GET /api/download", t.elapsed(), status);
        round += 1;
    }
    Ok(())
}
