//! The output folder: created (or reused) only after validation, every file written under a
//! temporary name in the same folder and renamed into place, so a run never leaves a mix of old
//! and half-written files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CliError, io_error};

/// An output folder that exists.
#[derive(Debug, Clone)]
pub struct OutDir {
    dir: PathBuf,
}

impl OutDir {
    /// Creates `dir` (and its parents) if needed; an existing folder is reused.
    pub fn create(dir: &Path) -> Result<Self, CliError> {
        fs::create_dir_all(dir).map_err(|e| io_error("create the output folder", dir, e))?;
        Ok(OutDir {
            dir: dir.to_path_buf(),
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Path of `name` inside the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `name` by calling `write` on a temporary path in the same folder (ending in
    /// `.<name>`, so writers that look at the extension still work), then renaming it over
    /// `name`. The temporary file is removed if `write` fails.
    pub fn write_with(
        &self,
        name: &str,
        write: impl FnOnce(&Path) -> Result<(), CliError>,
    ) -> Result<PathBuf, CliError> {
        let tmp = self.dir.join(format!(".tmp-{}-{name}", std::process::id()));
        let target = self.file(name);
        if let Err(e) = write(&tmp) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        fs::rename(&tmp, &target).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_error("rename the temporary file onto", &target, e)
        })?;
        Ok(target)
    }

    /// Writes `bytes` to `name` atomically.
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, CliError> {
        self.write_with(name, |tmp| {
            fs::write(tmp, bytes).map_err(|e| io_error("write", tmp, e))
        })
    }
}
