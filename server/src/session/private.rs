//! Sessions hold patient scans, and a session folder's name is its id, a bearer secret: the
//! data folder, the session folders and their files are the server's user's alone (0700 and
//! 0600 on Unix; elsewhere the platform's defaults apply).

use std::io;
use std::path::Path;

/// Creates `path` and any missing parents, and makes `path` private.
pub fn create_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)?;
    restrict(path, DIR_MODE)
}

/// Makes a folder private (one made by an older version, or by hand).
pub fn restrict_dir(path: &Path) -> io::Result<()> {
    restrict(path, DIR_MODE)
}

/// Options that create (or truncate) a file for writing, private from its first byte.
pub fn new_file() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Makes a file that another library created private.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    restrict(path, FILE_MODE)
}

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}
