//! Surface meshes of a result over HTTP: one label as binary STL or OBJ, or all labels in a
//! zip; closed, outward-facing, in millimetres where the scan's affine puts the object.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::collections::HashMap;
use std::io::Read as _;

use interseg_tests::phantom::{Ball, Phantom};
use interseg_tests::{SessionClient, TestServer};
use reqwest::StatusCode;

const SPACING: [f32; 3] = [0.8, 0.8, 1.5];
/// The phantom's NIfTI origin (see `phantom::nifti_i16`).
const ORIGIN: [f64; 3] = [-10.0, 20.0, -30.0];

const BALLS: [Ball; 2] = [
    Ball {
        center: [12.0, 14.0, 10.0],
        radius: 6.0,
    },
    Ball {
        center: [32.0, 14.0, 10.0],
        radius: 4.0,
    },
];

async fn segmented(server: &TestServer) -> (SessionClient, Phantom) {
    let phantom = Phantom::balls([44, 28, 20], &BALLS, 11);
    let session = server.new_session().await.unwrap();
    let up = session
        .upload_bytes("balls.nii.gz", phantom.to_nii_gz(SPACING))
        .await
        .unwrap();
    assert_eq!(up.status, StatusCode::OK, "{}", up.json);
    // The legacy route: each marked point is its own label (1, 2).
    for ball in &BALLS {
        let [i, j, k] = ball.center_voxel();
        session.mark(2, k, j, i).await.unwrap();
    }
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    (session, phantom)
}

/// Triangles of a binary STL, as vertex triples.
fn stl_triangles(bytes: &[u8]) -> Vec<[[f32; 3]; 3]> {
    assert!(bytes.len() >= 84);
    let count = u32::from_le_bytes(bytes[80..84].try_into().unwrap()) as usize;
    assert_eq!(bytes.len(), 84 + 50 * count, "size agrees with the count");
    (0..count)
        .map(|t| {
            let at = 84 + 50 * t + 12;
            let f = |n: usize| {
                f32::from_le_bytes(bytes[at + 4 * n..at + 4 * n + 4].try_into().unwrap())
            };
            [0, 1, 2].map(|v| [f(3 * v), f(3 * v + 1), f(3 * v + 2)])
        })
        .collect()
}

/// Every edge, welded by exact coordinates, is used once in each direction.
fn closed(triangles: &[[[f32; 3]; 3]]) -> bool {
    let key = |p: [f32; 3]| p.map(f32::to_bits);
    let mut edges: HashMap<([u32; 3], [u32; 3]), i64> = HashMap::new();
    for t in triangles {
        for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
            let (a, b) = (key(a), key(b));
            *edges.entry((a.min(b), a.max(b))).or_default() += if a < b { 1 } else { -1 };
        }
    }
    !edges.is_empty() && edges.values().all(|&balance| balance == 0)
}

fn volume_and_centre(triangles: &[[[f32; 3]; 3]]) -> (f64, [f64; 3]) {
    let mut volume = 0.0;
    let mut centre = [0.0; 3];
    for t in triangles {
        let [a, b, c] = t.map(|p| p.map(f64::from));
        let v = (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
            + a[2] * (b[0] * c[1] - b[1] * c[0]))
            / 6.0;
        volume += v;
        for k in 0..3 {
            centre[k] += v * (a[k] + b[k] + c[k]) / 4.0;
        }
    }
    (volume, centre.map(|c| c / volume))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_label_downloads_as_a_closed_surface_where_the_scan_puts_it() {
    let server = TestServer::spawn().await.unwrap();
    let (session, phantom) = segmented(&server).await;
    let voxel_mm3: f64 = SPACING.iter().map(|&s| f64::from(s)).product();
    for (n, ball) in BALLS.iter().enumerate() {
        let label = n + 1;
        let (status, stl) = session
            .get_bytes(&format!("/api/download/mesh?label={label}"))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&stl));
        assert!(stl.starts_with(format!("interseg label {label}, mm, RAS").as_bytes()));
        let triangles = stl_triangles(&stl);
        assert!(closed(&triangles), "label {label}'s mesh has holes");
        let (volume, centre) = volume_and_centre(&triangles);
        let truth = phantom
            .truth
            .iter()
            .filter(|&&t| usize::from(t) == label)
            .count() as f64;
        assert!(
            (volume - truth * voxel_mm3).abs() < 0.12 * truth * voxel_mm3,
            "label {label}: {volume} mm³ against {} mm³",
            truth * voxel_mm3
        );
        let want = [0, 1, 2].map(|a| ORIGIN[a] + f64::from(SPACING[a]) * ball.center[a]);
        for a in 0..3 {
            assert!(
                (centre[a] - want[a]).abs() < 0.5,
                "label {label}: {centre:?} vs {want:?}"
            );
        }
    }
    // Smoothed, as OBJ, in LPS: still the same object, x and y mirrored.
    let (status, obj) = session
        .get_bytes("/api/download/mesh?label=1&format=obj&smooth=10&frame=lps")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let obj = String::from_utf8(obj).unwrap();
    assert!(obj.starts_with("# interseg label 1, mm, LPS"));
    let vertices: Vec<[f64; 3]> = obj
        .lines()
        .filter_map(|l| l.strip_prefix("v "))
        .map(|l| {
            let v: Vec<f64> = l.split(' ').map(|x| x.parse().unwrap()).collect();
            [v[0], v[1], v[2]]
        })
        .collect();
    assert!(obj.lines().filter(|l| l.starts_with("f ")).count() > 100);
    let mean_x = vertices.iter().map(|v| v[0]).sum::<f64>() / vertices.len() as f64;
    let ras_x = ORIGIN[0] + f64::from(SPACING[0]) * BALLS[0].center[0];
    assert!((mean_x + ras_x).abs() < 0.5, "{mean_x} vs {}", -ras_x);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_labels_come_in_a_zip_and_bad_requests_say_why() {
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let (status, _) = session.get_bytes("/api/download/mesh").await.unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND, "no segmentation yet");
    let (session, _) = segmented(&server).await;
    let (status, zipped) = session.get_bytes("/api/download/mesh").await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
    let mut names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(names, ["label_1.stl", "label_2.stl"]);
    let mut stl = Vec::new();
    archive
        .by_name("label_2.stl")
        .unwrap()
        .read_to_end(&mut stl)
        .unwrap();
    assert!(closed(&stl_triangles(&stl)));
    let absent = session.get("/api/download/mesh?label=9").await.unwrap();
    assert_eq!(absent.status, StatusCode::NOT_FOUND);
    assert_eq!(absent.detail(), "Label 9 is not in the segmentation");
    for bad in [
        "smooth=1000",
        "format=ply",
        "label=0",
        "label=300",
        "frame=xyz",
    ] {
        let answer = session
            .get(&format!("/api/download/mesh?{bad}"))
            .await
            .unwrap();
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            answer.json
        );
        assert!(!answer.detail().is_empty(), "{bad}");
    }
    // The other downloads still answer as the original does.
    let (status, _) = session
        .get_bytes("/api/download/segmentation")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
}

/// A tooth of the dental phantom as a printer gets it: closed, as big as its labelled voxels
/// and where they are, read by trimesh and here alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phantom_tooth_prints_watertight_at_its_size_and_place() {
    let server = TestServer::spawn().await.unwrap();
    let phantom = interseg_tests::dental::DentalPhantom::new(14, 1.0, 3);
    let spacing = [0.3f32, 0.3, 0.5];
    let session = server.new_session().await.unwrap();
    let up = session
        .upload_bytes(
            "teeth.nii",
            interseg_tests::phantom::nifti_i16(phantom.dims, &phantom.values, spacing),
        )
        .await
        .unwrap();
    assert_eq!(up.status, StatusCode::OK, "{}", up.json);
    let [i, j, k] = phantom.teeth[4].click();
    session.mark(2, k, j, i).await.unwrap();
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);
    let (_, labels) = session.get_bytes("/api/segmentation/voxels").await.unwrap();
    let affine = session.get("/api/volume").await.unwrap().json["affine"].clone();
    let world = |v: [f64; 3]| {
        [0, 1, 2].map(|r| {
            (0..3)
                .map(|c| affine[r][c].as_f64().unwrap() * v[c])
                .sum::<f64>()
                + affine[r][3].as_f64().unwrap()
        })
    };
    // The label's voxels: their volume, and the box of their centres in mm (the affine is
    // diagonal and positive here).
    let dims = phantom.dims;
    let mut count = 0usize;
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for (o, _) in labels.iter().enumerate().filter(|&(_, &l)| l == 1) {
        count += 1;
        let v = [
            o % dims[0],
            (o / dims[0]) % dims[1],
            o / (dims[0] * dims[1]),
        ];
        let w = world(v.map(|x| x as f64));
        for a in 0..3 {
            lo[a] = lo[a].min(w[a]);
            hi[a] = hi[a].max(w[a]);
        }
    }
    assert!(count > 500, "the tooth is segmented ({count} voxels)");
    let voxels_mm3 = count as f64 * spacing.iter().map(|&s| f64::from(s)).product::<f64>();
    let (status, stl) = session
        .get_bytes("/api/download/mesh?label=1&format=stl")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    // The surface runs through the faces between labelled and unlabelled voxels: half a voxel
    // outside the centres' box, give or take half a voxel.
    let check_box = |got_lo: [f64; 3], got_hi: [f64; 3]| {
        for a in 0..3 {
            let half = f64::from(spacing[a]) / 2.0;
            assert!(
                (got_lo[a] - (lo[a] - half)).abs() <= half + 1e-6,
                "axis {a}: mesh from {} mm, voxels from {} mm",
                got_lo[a],
                lo[a] - half
            );
            assert!(
                (got_hi[a] - (hi[a] + half)).abs() <= half + 1e-6,
                "axis {a}: mesh to {} mm, voxels to {} mm",
                got_hi[a],
                hi[a] + half
            );
        }
    };
    // In Rust.
    let triangles = stl_triangles(&stl);
    assert!(closed(&triangles), "the tooth's mesh has holes");
    let (volume, _) = volume_and_centre(&triangles);
    assert!(
        (volume - voxels_mm3).abs() <= 0.05 * voxels_mm3,
        "{volume:.1} mm³ against {voxels_mm3:.1} mm³ of voxels"
    );
    let (mut mesh_lo, mut mesh_hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for p in triangles.iter().flatten() {
        for a in 0..3 {
            mesh_lo[a] = mesh_lo[a].min(f64::from(p[a]));
            mesh_hi[a] = mesh_hi[a].max(f64::from(p[a]));
        }
    }
    check_box(mesh_lo, mesh_hi);
    // In trimesh.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tooth.stl");
    std::fs::write(&path, &stl).unwrap();
    let read: serde_json::Value = serde_json::from_str(
        &interseg_tests::python::run_tool("check_stl.py", &[path.to_str().unwrap()]).unwrap(),
    )
    .unwrap();
    assert_eq!(read["watertight"], true, "{read}");
    assert_eq!(read["winding_consistent"], true, "{read}");
    let trimesh_volume = read["volume"].as_f64().unwrap();
    assert!(
        (trimesh_volume - voxels_mm3).abs() <= 0.05 * voxels_mm3,
        "trimesh: {trimesh_volume:.1} mm³ against {voxels_mm3:.1} mm³ of voxels"
    );
    let bound = |n: usize| [0, 1, 2].map(|a| read["bounds"][n][a].as_f64().unwrap());
    check_box(bound(0), bound(1));
}
