//! Server benchmark on a CT-sized volume (512×512×300 int16, gzipped NIfTI): upload → ready,
//! the legacy slice answer, one segmentation click, and resident memory per loaded session
//! against the stored voxel bytes. Run it with:
//!
//!     cargo run --release -p interseg-tests --bin bench-server
//!
//! Figures are medians over repeated runs on a real server on 127.0.0.1, reached over HTTP.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::{Duration, Instant};

use interseg_tests::TestServer;
use interseg_tests::memory::resident_bytes;
use interseg_tests::phantom::{gzip, nifti_i16};
use reqwest::StatusCode;

const DIMS: [usize; 3] = [512, 512, 300];
const SESSIONS: usize = 3;
const SLICES: usize = 20;
const CLICKS: usize = 10;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let (volume, seeds) = ct_like_phantom();
    let file = gzip(&nifti_i16(DIMS, &volume, [0.4, 0.4, 0.6]));
    drop(volume);
    let stored_bytes = DIMS.iter().product::<usize>() * 2;
    println!(
        "volume {}×{}×{} int16: {:.0} MB stored, {:.0} MB as .nii.gz (made in {:.1} s)",
        DIMS[0],
        DIMS[1],
        DIMS[2],
        mb(stored_bytes),
        mb(file.len()),
        started.elapsed().as_secs_f64()
    );

    let server = TestServer::spawn().await?;
    let rss_before = resident_bytes()?;
    let mut uploads = Vec::new();
    let mut sessions = Vec::new();
    for _ in 0..SESSIONS {
        let session = server.new_session().await?;
        let t = Instant::now();
        let answer = session.upload_bytes("ct.nii.gz", file.clone()).await?;
        anyhow::ensure!(
            answer.status == StatusCode::OK,
            "upload failed: {}",
            answer.json
        );
        uploads.push(t.elapsed());
        sessions.push(session);
    }
    let rss_after = resident_bytes()?;
    let per_session = (rss_after.saturating_sub(rss_before)) as f64 / SESSIONS as f64;

    let session = &sessions[0];
    let mut slice_k = Vec::new();
    let mut slice_i = Vec::new();
    for n in 0..SLICES {
        let t = Instant::now();
        let (status, _) = session
            .get_bytes(&format!("/api/slice/2/{}", 10 + n * 13))
            .await?;
        anyhow::ensure!(status == StatusCode::OK, "slice failed");
        slice_k.push(t.elapsed());
        let t = Instant::now();
        let (status, _) = session
            .get_bytes(&format!("/api/slice/0/{}", 20 + n * 23))
            .await?;
        anyhow::ensure!(status == StatusCode::OK, "slice failed");
        slice_i.push(t.elapsed());
    }

    let mut marks = Vec::new();
    let mut runs = Vec::new();
    for &[i, j, k] in seeds.iter().take(CLICKS) {
        let t = Instant::now();
        session.mark(2, k, j, i).await?;
        marks.push(t.elapsed());
        let t = Instant::now();
        let answer = session.post("/api/run_segmentation").await?;
        anyhow::ensure!(
            answer.status == StatusCode::OK,
            "segmentation failed: {}",
            answer.json
        );
        runs.push(t.elapsed());
    }
    let last_labels = session.post("/api/run_segmentation").await?.json["unique_labels"].clone();

    println!(
        "upload → ready (POST /api/upload, {SESSIONS} sessions): median {:.2} s",
        median(&mut uploads).as_secs_f64()
    );
    println!(
        "legacy slice answer, axis 2 (GET /api/slice/2/k, {SLICES} slices): median {:.1} ms",
        ms(median(&mut slice_k))
    );
    println!(
        "legacy slice answer, axis 0 (GET /api/slice/0/i, {SLICES} slices): median {:.1} ms",
        ms(median(&mut slice_i))
    );
    println!(
        "segmentation click: mark_point median {:.1} ms; run_segmentation median {:.1} ms over a session of {CLICKS} clicks",
        ms(median(&mut marks)),
        ms(median(&mut runs))
    );
    println!("labels after {CLICKS} clicks: {last_labels}");
    println!(
        "resident memory per loaded session: {:.0} MB = {:.2} × the stored voxel bytes ({:.0} MB)",
        per_session / 1e6,
        per_session / stored_bytes as f64,
        mb(stored_bytes)
    );
    server.stop().await?;
    Ok(())
}

/// Air around a noisy soft-tissue cylinder holding bright bone-like balls; returns the voxels
/// and a seed inside each ball.
fn ct_like_phantom() -> (Vec<i16>, Vec<[usize; 3]>) {
    let [ni, nj, nk] = DIMS;
    let balls: Vec<([f64; 3], f64)> = (0..CLICKS)
        .map(|n| {
            let angle = n as f64 / CLICKS as f64 * std::f64::consts::TAU;
            (
                [
                    256.0 + 120.0 * angle.cos(),
                    256.0 + 120.0 * angle.sin(),
                    60.0 + 18.0 * n as f64,
                ],
                14.0,
            )
        })
        .collect();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut values = Vec::with_capacity(ni * nj * nk);
    for k in 0..nk {
        for j in 0..nj {
            for i in 0..ni {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let noise = (rng % 61) as i16 - 30;
                let (x, y) = (i as f64 - 256.0, j as f64 - 256.0);
                let base = if x * x + y * y < 230.0 * 230.0 {
                    40
                } else {
                    -1000
                };
                let p = [i as f64, j as f64, k as f64];
                let in_ball = balls
                    .iter()
                    .any(|(c, r)| (0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>() < r * r);
                values.push(if in_ball { 1200 } else { base } + noise);
            }
        }
    }
    let seeds = balls
        .iter()
        .map(|(c, _)| c.map(|v| v.round() as usize))
        .collect();
    (values, seeds)
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}
