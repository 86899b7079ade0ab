//! What background work reports to the UI.

use std::path::PathBuf;
use std::sync::Arc;

use interseg_shared::api::locks::LocksResponse;
use interseg_shared::api::naming::NamingResponse;
use interseg_shared::api::points::PointsResponse;
use interseg_shared::api::prompts::PromptsResponse;
use interseg_shared::api::segmentation::JobResponse;
use interseg_shared::api::volume::UploadResponse;

use crate::client::segmentation::SavedFiles;
use crate::client::volume::Progress;
use crate::client::{ClientError, SessionStart};
use crate::volume_data::VolumeData;

/// Which call a prompts or points answer came from: the app treats a mark and a load
/// specially, and names the call in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptCall {
    /// Loading them with a session (not a change: no segmentation).
    Load,
    /// Marking a point or a box.
    Mark,
    Remove,
    Clear,
    Undo,
    Redo,
}

impl PromptCall {
    /// What the call tried to do, for "Could not …".
    pub fn words(self) -> &'static str {
        match self {
            Self::Load => "load the points",
            Self::Mark => "mark the point",
            Self::Remove => "remove the point",
            Self::Clear => "clear the points",
            Self::Undo => "undo",
            Self::Redo => "redo",
        }
    }
}

/// What background work reports to the UI.
#[derive(Debug)]
pub enum Event {
    Session(Result<SessionStart, ClientError>),
    /// The session has no volume yet.
    NoVolume,
    /// The name of the file the session's volume came from.
    FileName(String),
    /// A volume is being fetched.
    VolumeLoading(Arc<Progress>),
    Volume(Result<Arc<VolumeData>, ClientError>),
    /// The latest result's labels (`None`: no result yet).
    Labels(Result<Option<Vec<u8>>, ClientError>),
    Prompts {
        call: PromptCall,
        answer: Result<PromptsResponse, ClientError>,
    },
    /// The original API's points.
    LegacyPoints {
        call: PromptCall,
        answer: Result<PointsResponse, ClientError>,
    },
    Uploaded(Result<UploadResponse, ClientError>),
    Job(Result<JobResponse, ClientError>),
    Saved(Result<SavedFiles, ClientError>),
    OpenPicked(Option<PathBuf>),
    SavePicked(Option<PathBuf>),
    /// How the session names its labels.
    Naming(Result<NamingResponse, ClientError>),
    /// The session's locked labels.
    Locks(Result<LocksResponse, ClientError>),
    /// The 3D view's surfaces of the result shown `shown`-th.
    Surfaces {
        shown: u64,
        surfaces: Arc<crate::surfaces::Surfaces>,
    },
    /// The server answers again after a lost connection.
    Reconnected,
}
