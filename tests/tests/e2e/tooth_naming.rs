//! Tooth numbering: a session named by FDI or Universal numbers names its teeth so in the
//! ITK-SNAP label file and the Slicer segments, and says so through `/api/naming`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails by panicking; a flow reads top to bottom"
)]

use interseg_tests::TestServer;
use interseg_tests::phantom::{Ball, Phantom};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn put_naming(session: &interseg_tests::SessionClient, naming: &str) -> (StatusCode, Value) {
    let answer = session
        .put_json("/api/naming", &json!({ "naming": naming }))
        .await
        .unwrap();
    (answer.status, answer.json)
}

fn names(answer: &Value) -> Vec<(u64, String)> {
    answer["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["label"].as_u64().unwrap(),
                n["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teeth_are_named_by_fdi_or_universal_numbers_in_every_output() {
    let server = TestServer::spawn().await.unwrap();
    let balls = [
        Ball {
            center: [10.0, 12.0, 8.0],
            radius: 5.0,
        },
        Ball {
            center: [26.0, 12.0, 8.0],
            radius: 4.0,
        },
    ];
    let phantom = Phantom::balls([36, 24, 16], &balls, 9);
    let session = server.new_session().await.unwrap();
    let up = session
        .upload_bytes("jaw.nii.gz", phantom.to_nii_gz([0.3, 0.3, 0.3]))
        .await
        .unwrap();
    assert_eq!(up.status, StatusCode::OK, "{}", up.json);
    // The upper right central incisor (FDI 11) and the lower left first molar (FDI 36).
    for (ball, label) in balls.iter().zip([11, 36]) {
        let [i, j, k] = ball.center_voxel();
        let body = json!({"label": label, "include": true,
            "point": {"axis": 2, "slice_index": k, "x": j, "y": i}});
        let answer = session.post_json("/api/prompts", &body).await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    }
    let plain = session.get("/api/naming").await.unwrap();
    assert_eq!(plain.json["naming"], "numbers");
    assert_eq!(names(&plain.json), [(11, "#11".into()), (36, "#36".into())]);
    let run = session.post("/api/run_segmentation").await.unwrap();
    assert_eq!(run.status, StatusCode::OK, "{}", run.json);

    let (status, fdi) = put_naming(&session, "fdi").await;
    assert_eq!(status, StatusCode::OK, "{fdi}");
    assert_eq!(
        names(&fdi),
        [
            (11, "Tooth 11: upper right central incisor".into()),
            (36, "Tooth 36: lower left first molar".into())
        ]
    );
    let (_, labels) = session.get_bytes("/api/download/labels").await.unwrap();
    let labels = String::from_utf8(labels).unwrap();
    assert!(
        labels.contains("\"Tooth 36: lower left first molar\""),
        "{labels}"
    );

    let (_, universal) = put_naming(&session, "universal").await;
    assert_eq!(universal["naming"], "universal");
    let (_, labels) = session.get_bytes("/api/download/labels").await.unwrap();
    let labels = String::from_utf8(labels).unwrap();
    assert!(
        labels.contains("\"Tooth 8: upper right central incisor\""),
        "{labels}"
    );
    assert!(
        labels.contains("\"Tooth 19: lower left first molar\""),
        "{labels}"
    );
    let (_, slicer) = session.get_bytes("/api/download/slicer").await.unwrap();
    let end = slicer.windows(2).position(|w| w == b"\n\n").unwrap();
    let header = String::from_utf8_lossy(&slicer[..end]);
    assert!(
        header.contains("Segment0_Name:=Tooth 8: upper right central incisor"),
        "{header}"
    );
    assert!(header.contains("Segment1_LabelValue:=36"), "{header}");
    assert!(
        header.contains("Segment1_Name:=Tooth 19: lower left first molar"),
        "{header}"
    );
    // Meshes carry the name too: in the STL header and as the OBJ object.
    let (_, stl) = session
        .get_bytes("/api/download/mesh?label=36&format=stl")
        .await
        .unwrap();
    let head = String::from_utf8_lossy(&stl[..80]);
    assert!(head.contains("Tooth 19: lower left first molar"), "{head}");
    let (_, obj) = session
        .get_bytes("/api/download/mesh?label=11&format=obj")
        .await
        .unwrap();
    let obj = String::from_utf8(obj).unwrap();
    assert!(
        obj.lines()
            .any(|l| l == "o Tooth 8: upper right central incisor"),
        "{}",
        &obj[..200.min(obj.len())]
    );
    // Stored with the session.
    assert_eq!(
        session.get("/api/naming").await.unwrap().json["naming"],
        "universal"
    );
    let (status, refused) = put_naming(&session, "roman").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        session.get("/api/naming").await.unwrap().json["naming"],
        "universal"
    );
}
