//! The viewer's local settings: which server to use, the session to resume on each server,
//! view preferences. One JSON file in the platform config dir, written atomically (temp file
//! and rename), so a crash never leaves it torn; an unreadable file is never fatal.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use interseg_shared::ids::SessionId;
use serde::{Deserialize, Serialize};

/// The key under which the embedded server's session is kept.
pub const EMBEDDED: &str = "embedded";

/// What the viewer remembers between runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewerConfig {
    /// A remote server to use; none means the embedded one.
    #[serde(default)]
    pub server_url: Option<String>,
    /// The API token the remote server asks for, if any.
    #[serde(default)]
    pub api_token: Option<String>,
    /// Extra certificate authorities (a PEM file) to trust for an `https://` server.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The session to resume, per server (its URL, or [`EMBEDDED`]).
    #[serde(default)]
    pub sessions: BTreeMap<String, String>,
    /// The last window and level (centre, width).
    #[serde(default)]
    pub window_level: Option<[f32; 2]>,
    /// One view instead of three.
    #[serde(default)]
    pub single_view: bool,
    /// Opacity of the label overlay.
    #[serde(default)]
    pub label_opacity: Option<f32>,
}

impl ViewerConfig {
    /// The key of the server this configuration points at.
    pub fn server_key(&self) -> &str {
        self.server_url.as_deref().unwrap_or(EMBEDDED)
    }

    /// The session to resume on the current server.
    pub fn session(&self) -> Option<&str> {
        self.sessions.get(self.server_key()).map(String::as_str)
    }

    /// Remembers the session in use on the current server.
    pub fn set_session(&mut self, session_id: SessionId) {
        let key = self.server_key().to_owned();
        self.sessions.insert(key, session_id.to_string());
    }
}

/// Where the configuration lives.
#[derive(Clone, Debug)]
pub struct ConfigFile {
    path: PathBuf,
}

impl ConfigFile {
    /// `viewer.json` in the platform config dir (`~/.config/interseg` on Linux), if the
    /// platform has one.
    pub fn platform() -> Option<Self> {
        directories::ProjectDirs::from("org", "interseg", "interseg").map(|dirs| Self {
            path: dirs.config_dir().join("viewer.json"),
        })
    }

    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored configuration; the defaults when there is none or it cannot be read.
    pub fn load(&self) -> ViewerConfig {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                tracing::warn!(
                    "ignoring unreadable viewer settings {}: {err}",
                    self.path.display()
                );
                ViewerConfig::default()
            }),
            Err(err) if err.kind() == io::ErrorKind::NotFound => ViewerConfig::default(),
            Err(err) => {
                tracing::warn!("cannot read viewer settings {}: {err}", self.path.display());
                ViewerConfig::default()
            }
        }
    }

    /// Stores the configuration atomically.
    pub fn save(&self, config: &ViewerConfig) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let bytes = serde_json::to_vec_pretty(config).map_err(io::Error::other)?;
        let tmp = self.path.with_extension("json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // Session ids and the API token are credentials: readable by the user alone.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        std::io::Write::write_all(&mut file, &bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SessionId {
        text.parse().unwrap()
    }

    #[test]
    fn round_trips_and_keeps_a_session_per_server() {
        let dir = tempfile::tempdir().unwrap();
        let file = ConfigFile::at(dir.path().join("nested/viewer.json"));
        assert_eq!(file.load(), ViewerConfig::default());
        let mut config = ViewerConfig::default();
        config.set_session(id("11111111-1111-4111-8111-111111111111"));
        config.server_url = Some("http://lab:8000".to_owned());
        assert_eq!(config.session(), None);
        config.set_session(id("22222222-2222-4222-8222-222222222222"));
        config.window_level = Some([40.0, 400.0]);
        file.save(&config).unwrap();
        let loaded = file.load();
        assert_eq!(loaded, config);
        assert_eq!(
            loaded.session(),
            Some("22222222-2222-4222-8222-222222222222")
        );
        assert_eq!(
            loaded.sessions[EMBEDDED],
            "11111111-1111-4111-8111-111111111111"
        );
        assert!(!dir.path().join("nested/viewer.json.tmp").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the user may read it: {mode:o}");
        }
    }

    #[test]
    fn an_unreadable_file_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("viewer.json");
        std::fs::write(&path, b"{ not json").unwrap();
        assert_eq!(ConfigFile::at(&path).load(), ViewerConfig::default());
        // Older or newer files with unknown or missing fields still load.
        std::fs::write(&path, br#"{"server_url": "http://x", "future": 1}"#).unwrap();
        assert_eq!(
            ConfigFile::at(&path).load().server_url.as_deref(),
            Some("http://x")
        );
    }
}
