//! The nibabel-written fixtures of `assets/nibabel` (made by `tools/make_nifti_fixtures.py`)
//! and what nibabel read from each.

use std::path::PathBuf;

use serde_json::Value;

pub fn dir() -> PathBuf {
    crate::workspace_root().join("assets").join("nibabel")
}

/// `expected.json`: for each readable fixture, nibabel's shape, `data_range` and normalised
/// slices.
pub fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(dir().join("expected.json")).unwrap_or_default();
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// The fixtures the server must refuse, each with a word its detail must contain.
pub const REFUSED: [(&str, &str); 10] = [
    ("refuse_4d_three_volumes.nii.gz", "3 volumes"),
    ("refuse_nifti2.nii", "NIfTI-2"),
    ("refuse_complex64.nii", "datatype"),
    ("refuse_truncated.nii", "truncated"),
    ("refuse_truncated.nii.gz", "truncated"),
    ("refuse_claims_huge.nii", "limit"),
    ("refuse_claims_more.nii", "truncated"),
    ("refuse_claims_more.nii.gz", "truncated"),
    ("refuse_not_nifti.nii", "not a NIfTI"),
    ("refuse_short.nii.gz", "not a NIfTI"),
];
