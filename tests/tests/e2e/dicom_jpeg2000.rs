//! A real CT series from a Siemens scanner stored as JPEG 2000 lossless (transfer syntax
//! 1.2.840.10008.1.2.4.90; the test series of `TotalSegmentator`, fetched into the quality
//! data by `tools/fetch_quality_data.py`): zipped and uploaded, it decodes to the same values
//! and affine as pydicom with pylibjpeg and nibabel give for it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use std::io::Write as _;

use interseg_server::volume::nifti::geometry::world_from_voxel;
use interseg_server::volume::{LoadLimits, VolumeFormat, load, load_nifti};
use interseg_tests::TestServer;
use interseg_tests::quality::cache_dir;
use reqwest::StatusCode;

fn zipped_series() -> Vec<u8> {
    let folder =
        cache_dir().join("work/totalsegmentator-2.18.0/tests/reference_files/example_ct_dicom");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("the quality data is missing: scripts/test fetches it")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 20);
    let first = std::fs::read(&files[0]).unwrap();
    assert!(
        String::from_utf8_lossy(&first[..600]).contains("1.2.840.10008.1.2.4.90"),
        "the series is JPEG 2000 lossless"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(file).unwrap()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jpeg2000_series_decodes_to_the_reference_values_and_geometry() {
    let bytes = zipped_series();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("series.zip");
    std::fs::write(&path, &bytes).unwrap();
    let limits = LoadLimits {
        max_voxels: 1 << 30,
    };
    let ours = load(&path, VolumeFormat::DicomZip, limits).unwrap();
    let reference = load_nifti(
        &cache_dir().join("volumes/ct_thorax_dicom_1mm.nii.gz"),
        limits,
    )
    .unwrap();
    assert_eq!(ours.volume.dims(), reference.volume.dims());
    let n = ours.volume.voxel_count();
    let differing = (0..n)
        .filter(|&o| {
            let (a, b) = (
                ours.volume.value_at_offset(o).unwrap(),
                reference.volume.value_at_offset(o).unwrap(),
            );
            (a - b).abs() > 0.5
        })
        .count();
    assert_eq!(
        differing, 0,
        "{differing} of {n} voxels differ from pydicom's decoding"
    );
    let (a, b) = (
        world_from_voxel(&ours.header),
        world_from_voxel(&reference.header),
    );
    for r in 0..4 {
        for c in 0..4 {
            assert!((a[r][c] - b[r][c]).abs() < 1e-3, "affine {a:?} vs {b:?}");
        }
    }
    // And through the API, as a user uploads it.
    let server = TestServer::spawn().await.unwrap();
    let session = server.new_session().await.unwrap();
    let answer = session.upload_bytes("series.zip", bytes).await.unwrap();
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["shape"], serde_json::json!([512, 512, 20]));
}
