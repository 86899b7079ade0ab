//! Segmentation jobs (started, polled with progress, cancelled) and downloading the result.

use std::path::{Path, PathBuf};

use interseg_shared::api::segmentation::JobResponse;
use reqwest::Method;

use super::{ClientError, ServerClient, SessionId};

/// Where a saved result went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedFiles {
    pub labels_volume: PathBuf,
    pub label_descriptions: PathBuf,
    /// Every label's surface (STL, in a zip), when asked for.
    pub meshes: Option<PathBuf>,
    /// A DICOM SEG referring to the series, when the volume came as DICOM.
    pub dicom_seg: Option<PathBuf>,
}

impl ServerClient {
    /// Starts segmenting the session's prompts; answers at once.
    pub async fn start_job(&self, session_id: SessionId) -> Result<JobResponse, ClientError> {
        self.json(self.request(Method::POST, "/api/segmentation/jobs", Some(session_id)))
            .await
    }

    pub async fn job(
        &self,
        session_id: SessionId,
        job_id: u64,
    ) -> Result<JobResponse, ClientError> {
        let path = format!("/api/segmentation/jobs/{job_id}");
        self.json(self.request(Method::GET, &path, Some(session_id)))
            .await
    }

    pub async fn cancel_job(
        &self,
        session_id: SessionId,
        job_id: u64,
    ) -> Result<JobResponse, ClientError> {
        let path = format!("/api/segmentation/jobs/{job_id}");
        self.json(self.request(Method::DELETE, &path, Some(session_id)))
            .await
    }

    /// Downloads the label volume to `target` (a `.nii.gz`) and the ITK-SNAP label file beside
    /// it, for a DICOM volume a DICOM SEG beside them, and with `meshes` every label's smoothed
    /// surface (STL, in a zip) too;
    /// each file is written whole to a temporary name first, so a failure never leaves a torn
    /// file where the user asked for one.
    pub async fn save_result(
        &self,
        session_id: SessionId,
        target: &Path,
        meshes: bool,
    ) -> Result<SavedFiles, ClientError> {
        let volume = self.download(session_id, "segmentation").await?;
        let labels = self.download(session_id, "labels").await?;
        let surfaces = if meshes {
            Some(self.download(session_id, MESHES_DOWNLOAD).await?)
        } else {
            None
        };
        // The server refuses (409) a DICOM SEG of a volume that did not come as DICOM.
        let seg = match self.download(session_id, "dicom_seg").await {
            Ok(bytes) => Some(bytes),
            Err(ClientError::Refused { status: 409, .. }) => None,
            Err(err) => return Err(err),
        };
        let files = SavedFiles {
            labels_volume: target.to_owned(),
            label_descriptions: label_file_beside(target),
            meshes: surfaces.as_ref().map(|_| beside(target, "_meshes.zip")),
            dicom_seg: seg.as_ref().map(|_| beside(target, "_seg.dcm")),
        };
        let written = files.clone();
        tokio::task::spawn_blocking(move || {
            write_atomically(&written.labels_volume, &volume)?;
            write_atomically(&written.label_descriptions, &labels)?;
            if let (Some(path), Some(bytes)) = (&written.dicom_seg, seg) {
                write_atomically(path, &bytes)?;
            }
            match (&written.meshes, surfaces) {
                (Some(path), Some(bytes)) => write_atomically(path, &bytes),
                _ => Ok(()),
            }
        })
        .await
        .map_err(|err| ClientError::Local(err.to_string()))?
        .map_err(|err| ClientError::Local(format!("cannot write the result: {err}")))?;
        Ok(files)
    }

    async fn download(
        &self,
        session_id: SessionId,
        file_type: &str,
    ) -> Result<Vec<u8>, ClientError> {
        let path = format!("/api/download/{file_type}");
        let response = self
            .send(self.request(Method::GET, &path, Some(session_id)))
            .await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|err| self.unreachable(&err))?;
        Ok(bytes.to_vec())
    }
}

/// Every label's surface, smoothed for printing (see the server's `/api/download/mesh`).
const MESHES_DOWNLOAD: &str = "mesh?format=stl&smooth=10";

/// `result.nii.gz` → `result_labels.txt` (the ITK-SNAP label description file).
pub fn label_file_beside(target: &Path) -> PathBuf {
    beside(target, "_labels.txt")
}

/// `result.nii.gz` → `result{suffix}`.
fn beside(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".nii.gz")
        .or_else(|| name.strip_suffix(".nii"))
        .unwrap_or(&name);
    target.with_file_name(format!("{stem}{suffix}"))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_file_sits_beside_the_volume() {
        assert_eq!(
            label_file_beside(Path::new("/d/jaw.nii.gz")),
            Path::new("/d/jaw_labels.txt")
        );
        assert_eq!(
            label_file_beside(Path::new("jaw.nii")),
            Path::new("jaw_labels.txt")
        );
    }
}
