//! The output folder and its sets of files, replaced all at once.
//!
//! Each command owns a set of files in `--out` (train: the model, the plot and the
//! predictions; forecast: `forecast.csv` and its plot). A set is replaced as a whole, even
//! when recur is killed part way:
//!
//! 1. **Stage.** Every file of the set is written inside `.recur-staging-<set>/` in the output
//!    folder (same file system, so the final renames are atomic).
//! 2. **Journal.** Once every staged file is complete and synced, the journal
//!    `.recur-staging-<set>/.journal` (the set's final names) is written under a temporary
//!    name, synced and renamed into place. Its appearance is the commit point.
//! 3. **Apply.** Each staged file is renamed onto its final name, the folder is synced, then
//!    the journal and the staging folder are removed.
//!
//! Every command that writes first recovers the folder ([`recover`]): a staging folder with a
//! journal is rolled forward (its remaining files renamed into place), one without is rolled
//! back (deleted). So after a kill the set is the previous run's, or the new one's once the
//! next command in the folder has run (a kill in the middle of step 3 leaves the journal to
//! finish the renames). Recur touches only the set's final names and entries whose names begin
//! with `.recur-staging-`; any other file in the folder is left alone.
//!
//! Not covered: two recur commands writing the same folder at the same time (the second one's
//! recovery would delete the first one's staging folder, which then fails with exit status 1).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{CliError, io_error};

/// Prefix of every name recur owns in an output folder besides the sets' final names.
pub const STAGING_PREFIX: &str = ".recur-staging-";

/// The journal's name inside a staging folder (a final name never begins with a dot).
const JOURNAL: &str = ".journal";

/// First line of a journal: tells a journal from a stray file of the same name.
const JOURNAL_HEADER: &str = "recur journal 1";

/// Checks, before any work, that `dir` can be the output folder: creates it if needed, recovers
/// the sets left by a killed run, and probes that a file can be created, renamed and removed
/// in it. A folder this call created is removed again (it is created for good when the outputs
/// are written, so a run that stops on bad input leaves nothing behind). The error is the
/// reason, for the caller to name `--out`.
pub fn probe(dir: &Path) -> Result<(), String> {
    // The ancestors missing now: the ones to remove again after the probe.
    let missing: Vec<&Path> = dir.ancestors().take_while(|a| !a.exists()).collect();
    fs::create_dir_all(dir).map_err(|e| format!("cannot create the folder: {e}"))?;
    let result = recover(dir).and_then(|()| probe_files(dir));
    // `remove_dir` removes only empty folders: nothing that appeared meanwhile is lost.
    for created in missing {
        if created.as_os_str().is_empty() {
            break;
        }
        let _ = fs::remove_dir(created);
    }
    result.map_err(|e| e.one_line())
}

/// Creates, renames and removes a file in `dir`, as the writes will. Both names begin with
/// the staging prefix, so a kill here leaves nothing that the next recovery keeps.
fn probe_files(dir: &Path) -> Result<(), CliError> {
    let pid = std::process::id();
    let first = dir.join(format!("{STAGING_PREFIX}probe-{pid}"));
    let second = dir.join(format!("{STAGING_PREFIX}probe-{pid}-renamed"));
    File::create(&first).map_err(|e| io_error("create", &first, e))?;
    fs::rename(&first, &second).map_err(|e| {
        let _ = fs::remove_file(&first);
        io_error("rename", &first, e)
    })?;
    fs::remove_file(&second).map_err(|e| io_error("remove", &second, e))
}

/// Finishes what killed runs left in `dir`: every staging folder with a complete journal is
/// rolled forward, every other entry named `.recur-staging-*` is deleted.
pub fn recover(dir: &Path) -> Result<(), CliError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error("list", dir, e))?;
    let mut changed = false;
    for entry in entries {
        let entry = entry.map_err(|e| io_error("list", dir, e))?;
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(STAGING_PREFIX) {
            continue;
        }
        let path = entry.path();
        let is_dir = entry
            .file_type()
            .map_err(|e| io_error("inspect", &path, e))?
            .is_dir();
        match is_dir.then(|| read_journal(&path)).flatten() {
            Some(names) => apply(dir, &path, &names)?,
            None if is_dir => {
                fs::remove_dir_all(&path).map_err(|e| io_error("remove", &path, e))?;
            }
            None => fs::remove_file(&path).map_err(|e| io_error("remove", &path, e))?,
        }
        changed = true;
    }
    if changed {
        // The removals of a rollback must be durable before new staging begins, or a crash
        // could bring an old staging folder back beside the new one.
        sync_dir(dir)?;
    }
    Ok(())
}

/// The final names listed by the journal in `staging`, or `None` when there is no complete
/// journal (then the staging folder is rolled back). The journal is renamed into place whole,
/// so a partial one is never seen; a damaged one is treated as absent.
fn read_journal(staging: &Path) -> Option<Vec<String>> {
    let text = fs::read_to_string(staging.join(JOURNAL)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != JOURNAL_HEADER {
        return None;
    }
    let names: Vec<String> = lines.map(str::to_string).collect();
    names.iter().all(|n| is_plain_name(n)).then_some(names)
}

/// A file name without separators that recur may give a final file: not empty, not hidden
/// (so it cannot be the journal or a staging name).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\n', '\r'])
        && Path::new(name).file_name().is_some_and(|f| f == name)
}

/// Step 3: renames each staged file of `names` still in `staging` onto its final name in
/// `dir`, then removes the journal and the staging folder. Running it again after a kill
/// finishes the job (files already renamed are no longer in `staging`).
fn apply(dir: &Path, staging: &Path, names: &[String]) -> Result<(), CliError> {
    for name in names {
        let from = staging.join(name);
        if from.exists() {
            let to = dir.join(name);
            fs::rename(&from, &to).map_err(|e| io_error("move the new file onto", &to, e))?;
        }
    }
    // The renames must be durable before the journal that would redo them is removed.
    sync_dir(dir)?;
    let journal = staging.join(JOURNAL);
    fs::remove_file(&journal).map_err(|e| io_error("remove", &journal, e))?;
    fs::remove_dir_all(staging).map_err(|e| io_error("remove", staging, e))
}

/// Flushes `dir`'s entries (created, renamed, removed names) to disk: a file's own fsync does
/// not cover the name that points at it.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), CliError> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error("sync the folder", dir, e))
}

/// Elsewhere a folder cannot be opened as a file; renames are as durable as the platform makes
/// them.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), CliError> {
    Ok(())
}

/// Flushes the file at `path` to disk, so the journal never names a file whose data could be
/// lost in a crash.
fn sync_file(path: &Path) -> Result<(), CliError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error("sync", path, e))
}

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

    /// Starts replacing the set `set` (e.g. `train`): recovers the folder, then opens an empty
    /// staging folder for the set's files.
    pub fn stage(&self, set: &str) -> Result<Staging, CliError> {
        // The folder was recovered before the run began; this catches what a run killed
        // meanwhile left, and clears the set's staging name.
        recover(&self.dir)?;
        let staging = self.dir.join(format!("{STAGING_PREFIX}{set}"));
        fs::create_dir(&staging).map_err(|e| io_error("create the staging folder", &staging, e))?;
        Ok(Staging {
            dir: self.dir.clone(),
            staging,
            names: Vec::new(),
            committed: false,
        })
    }
}

/// A set of files being written: staged in the set's staging folder, moved into the output
/// folder all together by [`Staging::commit`]. Dropped without a commit (an error), the staged
/// files are deleted and the previous set is left as it was.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    staging: PathBuf,
    names: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Writes the set's file `name` by calling `write` on its staged path (same file name, so
    /// writers that look at the extension still work); returns the final path.
    pub fn write_with(
        &mut self,
        name: &str,
        write: impl FnOnce(&Path) -> Result<(), CliError>,
    ) -> Result<PathBuf, CliError> {
        if !is_plain_name(name) || self.names.iter().any(|n| n == name) {
            return Err(CliError::Runtime(format!(
                "cannot stage '{name}': not a new plain file name"
            )));
        }
        write(&self.staging.join(name))?;
        self.names.push(name.to_string());
        Ok(self.dir.join(name))
    }

    /// Writes `bytes` as the set's file `name`; returns the final path.
    pub fn write_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<PathBuf, CliError> {
        self.write_with(name, |path| {
            fs::write(path, bytes).map_err(|e| io_error("write", path, e))
        })
    }

    /// Replaces the set: syncs the staged files, writes the journal (the commit point), then
    /// moves the files into place and cleans up.
    pub fn commit(mut self) -> Result<(), CliError> {
        for name in &self.names {
            // A folder in the way would stop the renames half way: refuse before committing.
            let target = self.dir.join(name);
            if target.is_dir() {
                return Err(CliError::Runtime(format!(
                    "cannot write '{}': it is a folder",
                    target.display()
                )));
            }
            sync_file(&self.staging.join(name))?;
        }
        let tmp = self.staging.join(format!("{JOURNAL}.tmp"));
        let journal = self.staging.join(JOURNAL);
        let text = format!("{JOURNAL_HEADER}\n{}\n", self.names.join("\n"));
        let written = File::create(&tmp)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
        written.map_err(|e| io_error("write the journal", &tmp, e))?;
        // The staged names and the journal's data are durable before the rename that commits.
        sync_dir(&self.staging)?;
        fs::rename(&tmp, &journal).map_err(|e| io_error("commit the journal", &journal, e))?;
        // From here on the set is the new one: a failure below is finished by the next run.
        self.committed = true;
        sync_dir(&self.staging)?;
        apply(&self.dir, &self.staging, &self.names)
    }
}

impl Drop for Staging {
    /// Rolls back an uncommitted set: its staged files go, the previous set stays.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}
