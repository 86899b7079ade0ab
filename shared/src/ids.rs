//! Identifiers that travel over the wire.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A session's id: a random version-4 UUID, sent in the `X-Session-ID` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(Uuid);

/// The text given as a session id is not a UUID.
#[derive(Debug, thiserror::Error)]
#[error("session id {0:?} is not a UUID")]
pub struct InvalidSessionId(pub String);

impl SessionId {
    /// A fresh random id.
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    /// The first 8 characters, for logs and for listings shown to non-administrators.
    pub fn short(&self) -> String {
        self.0.simple().to_string().chars().take(8).collect()
    }
}

impl FromStr for SessionId {
    type Err = InvalidSessionId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim())
            .map(Self)
            .map_err(|_err| InvalidSessionId(s.to_owned()))
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_hyphenated() {
        let id = SessionId::new_random();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<SessionId>().unwrap(), id);
        assert_eq!(id.short(), text[..8]);
    }

    #[test]
    fn rejects_non_uuid() {
        assert!("not-a-uuid".parse::<SessionId>().is_err());
        assert!("../../etc/passwd".parse::<SessionId>().is_err());
    }
}
