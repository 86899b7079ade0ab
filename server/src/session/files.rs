//! The session folder's layout. Every file name in it is chosen here, and results are written,
//! read and deleted here; routes never build a path inside a session folder.
//!
//! A folder holds `meta.json`, the volume as uploaded (`volume-<revision>.<ext>`), the latest
//! result (`segmentation-<revision>.nii.gz` and its ITK-SNAP label file
//! `labels-<revision>.txt`), and while an upload arrives, `upload-<uuid>.part`. Revisions only
//! grow, so a new file never overwrites one a reader may still be reading.

use std::path::{Path, PathBuf};

use interseg_shared::naming::LabelNaming;

use super::{Session, SessionError, StoredResult, disk, private};
use crate::segmentation::LabelVolume;
use crate::volume::export::{label_description, write_label_nifti};
use crate::volume::{LoadError, LoadLimits, LoadedVolume, VolumeFormat};

/// The session's metadata: everything but the voxels.
pub(super) const META_FILE: &str = "meta.json";
const PARTIAL_EXTENSION: &str = "part";

/// The name of the volume file of `revision`.
pub(super) fn volume_file(revision: u64, format: VolumeFormat) -> String {
    format!("volume-{revision}.{}", format.extension())
}

/// Whether `path` is an upload that never finished (a crash cut it short).
pub(super) fn is_partial_upload(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == PARTIAL_EXTENSION)
}

impl StoredResult {
    /// The result of `revision`, with its files' names.
    fn named(revision: u64, unique_labels: Vec<u8>) -> Self {
        Self {
            revision,
            labels_nifti: format!("segmentation-{revision}.nii.gz"),
            labels_text: format!("labels-{revision}.txt"),
            unique_labels,
        }
    }
}

/// Deletes a result's files. They are unreferenced: failing to delete them loses nothing.
pub(super) fn remove_result_files(dir: &Path, result: &StoredResult) {
    disk::remove_if_present(&dir.join(&result.labels_nifti)).ok();
    disk::remove_if_present(&dir.join(&result.labels_text)).ok();
}

/// The labels of a stored result (always u8).
pub fn label_voxels(loaded: &LoadedVolume) -> Result<&[u8], SessionError> {
    match loaded.volume.voxels() {
        interseg_shared::volume::Voxels::U8(labels) => Ok(labels),
        _ => Err(SessionError::ResultUnreadable(
            "it is not u8 labels".to_owned(),
        )),
    }
}

impl Session {
    /// A new file for an upload to arrive in, inside the session folder (so that accepting it
    /// is a rename).
    pub fn partial_upload(&self) -> PathBuf {
        self.dir.join(format!(
            "upload-{}.{PARTIAL_EXTENSION}",
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// The stored volume file and its format, if there is a volume.
    pub fn volume_file(&self) -> Option<(PathBuf, VolumeFormat)> {
        let file = self.lock().meta.volume.as_ref()?.file.clone();
        let format = VolumeFormat::from_filename(&file)?;
        Some((self.dir.join(file), format))
    }

    /// Writes the files of a new result (label volume in `loaded`'s space, label file) under a
    /// new revision, not yet recorded as the session's result. Blocking.
    pub(super) fn write_result(
        &self,
        loaded: &LoadedVolume,
        labels: &LabelVolume,
        revision: u64,
        naming: LabelNaming,
    ) -> Result<StoredResult, SessionError> {
        self.ensure_open()?;
        // The objects found, as the original lists them: `np.unique(seg[seg > 0])`, so
        // background is never listed (clients count objects from this list).
        let unique_labels = labels
            .unique_labels()
            .into_iter()
            .filter(|&l| l != 0)
            .collect();
        let result = StoredResult::named(revision, unique_labels);
        let (nifti, text) = (
            self.dir.join(&result.labels_nifti),
            self.dir.join(&result.labels_text),
        );
        let written = write_label_nifti(&nifti, &loaded.header, labels.dims, &labels.labels)
            .map_err(|err| SessionError::Export(err.to_string()))
            .and_then(|()| {
                std::fs::write(&text, label_description(&result.unique_labels, naming))
                    .and_then(|()| private::restrict_file(&nifti))
                    .and_then(|()| private::restrict_file(&text))
                    .map_err(SessionError::Io)
            });
        if let Err(err) = written {
            remove_result_files(&self.dir, &result);
            return Err(err);
        }
        Ok(result)
    }

    /// The latest result's label volume file, as stored (`.nii.gz`). Blocking.
    pub fn result_nifti(&self) -> Result<Vec<u8>, SessionError> {
        let result = self.meta().result.ok_or(SessionError::NoResult)?;
        std::fs::read(self.dir.join(result.labels_nifti)).map_err(|err| match err.kind() {
            // Replaced by a newer result between reading the metadata and the file.
            std::io::ErrorKind::NotFound => SessionError::NoResult,
            _ => SessionError::Io(err),
        })
    }

    /// The latest result's label volume, decoded. Blocking.
    pub fn result_labels(&self) -> Result<LoadedVolume, SessionError> {
        let result = self.meta().result.ok_or(SessionError::NoResult)?;
        let path = self.dir.join(&result.labels_nifti);
        let limits = LoadLimits {
            max_voxels: u64::MAX,
        };
        crate::volume::load(&path, VolumeFormat::NiftiGz, limits).map_err(|err| match err {
            // Replaced by a newer result between reading the metadata and the file.
            LoadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => SessionError::NoResult,
            other => SessionError::ResultUnreadable(other.to_string()),
        })
    }
}
