//! The checkpoint file: named f32 tensors plus string metadata, in the safetensors format.
//!
//! This is recur's one file container: [`crate::Sequential::save`] writes a model as a
//! checkpoint (its description and the caller's document in the metadata, weights, optimizer
//! slots and carried states as tensors), and anything else recur saves goes through here too,
//! so there is one checksum, one atomic write and one format version.
//!
//! Why safetensors: a flat, documented layout (8-byte header length, JSON header with dtype,
//! shape and byte offsets of every tensor, then the raw little-endian data) that other tools
//! (Python's `safetensors`, numpy) can open, with room for free-form string metadata. The
//! `safetensors` crate checks the header length and that the tensors' offsets exactly cover
//! the rest of the file before anything is read, which catches truncation.
//!
//! Safetensors has no checksum, so recur adds one, stored under [`CHECKSUM_KEY`]: a 64-bit
//! FNV-1a over every byte of the file, the header included, with the 16 hex digits of the
//! checksum itself read as `0`s. A flipped byte anywhere (data, header, metadata, even the
//! header's padding) is then reported as corruption instead of loading wrong weights. The
//! price: a file re-saved by another tool, even unchanged, no longer verifies. FNV-1a guards
//! against accidents, not against deliberate edits.
//!
//! Files are written atomically: to a temporary file in the same directory, flushed to disk,
//! then renamed over the destination, so a crash never leaves a half-written checkpoint.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::error::{NnError, Result};
use crate::param::ParamTensor;

/// Metadata key holding the checksum: 16 lowercase hex digits of FNV-1a 64 over the file.
pub const CHECKSUM_KEY: &str = "recur.checksum_fnv1a64";

/// Metadata key identifying the file as recur's, with the format version.
pub const FORMAT_KEY: &str = "recur.format";

/// Current value of [`FORMAT_KEY`]. Version 1 checksummed the parsed content instead of the
/// bytes; this build reads version 2 only (and the first model file format, see
/// [`crate::Sequential::from_bytes`]).
pub const FORMAT_VERSION: &str = "recur-checkpoint-2";

/// Number of hex digits of the checksum.
const CHECKSUM_DIGITS: usize = 16;

/// The contents of a checkpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checkpoint {
    /// Free-form string entries (the model stores JSON here); the keys [`CHECKSUM_KEY`] and
    /// [`FORMAT_KEY`] are reserved.
    pub metadata: BTreeMap<String, String>,
    /// Named tensors, sorted by name.
    pub tensors: BTreeMap<String, ParamTensor>,
}

impl Checkpoint {
    /// An empty checkpoint.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tensor called `name`, or an error naming it and the file's tensors.
    pub fn tensor(&self, name: &str) -> Result<&ParamTensor> {
        self.tensors.get(name).ok_or_else(|| {
            NnError::state(format!(
                "checkpoint has no tensor '{name}'; it has: {}",
                self.tensors.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// The metadata entry `key`, or an error naming it.
    pub fn meta(&self, key: &str) -> Result<&str> {
        self.metadata
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| NnError::state(format!("checkpoint has no metadata entry '{key}'")))
    }

    /// Writes the checkpoint to `path` atomically (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, &self.to_bytes()?)
    }

    /// The bytes of the file [`Checkpoint::save`] writes: safetensors with the format tag and
    /// the checksum in its metadata.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        for key in [CHECKSUM_KEY, FORMAT_KEY] {
            if self.metadata.contains_key(key) {
                return Err(NnError::invalid(
                    "metadata",
                    key,
                    "a key not reserved by recur",
                ));
            }
        }
        for (name, t) in &self.tensors {
            if t.data.len() != t.shape.iter().product::<usize>() {
                return Err(NnError::shape(
                    format!("tensor '{name}'"),
                    &t.shape,
                    format!("{} values", t.data.len()),
                ));
            }
        }
        let mut meta: HashMap<String, String> = self
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        meta.insert(FORMAT_KEY.to_string(), FORMAT_VERSION.to_string());
        // A placeholder of the final length: the checksum is computed over the serialized
        // bytes with these digits in place, then written over them.
        meta.insert(CHECKSUM_KEY.to_string(), "0".repeat(CHECKSUM_DIGITS));
        let bytes: Vec<(&str, &[usize], Vec<u8>)> = self
            .tensors
            .iter()
            .map(|(n, t)| (n.as_str(), t.shape.as_slice(), le_bytes(&t.data)))
            .collect();
        let views = bytes
            .iter()
            .map(|(n, s, b)| Ok((*n, TensorView::new(Dtype::F32, s.to_vec(), b)?)))
            .collect::<std::result::Result<Vec<_>, safetensors::SafeTensorError>>()
            .map_err(|e| NnError::state(format!("cannot lay out the tensors: {e}")))?;
        let mut buffer = safetensors::serialize(views, Some(meta))
            .map_err(|e| NnError::state(format!("cannot serialize the checkpoint: {e}")))?;
        let (header_len, _) = SafeTensors::read_metadata(&buffer)
            .map_err(|e| NnError::state(format!("cannot read back the header: {e}")))?;
        sort_header(&mut buffer, header_len)
            .map_err(|e| NnError::state(format!("cannot sort the header: {e}")))?;
        let at = checksum_position(&buffer, header_len, &"0".repeat(CHECKSUM_DIGITS))
            .map_err(|e| NnError::state(format!("cannot place the checksum: {e}")))?;
        let sum = file_checksum(&buffer, at);
        buffer[at..at + CHECKSUM_DIGITS].copy_from_slice(sum.as_bytes());
        Ok(buffer)
    }

    /// Reads and fully validates a checkpoint: the safetensors structure, the recur format
    /// tag, every tensor being f32, and the checksum. Errors name the file.
    pub fn load(path: &Path) -> Result<Self> {
        let buffer = std::fs::read(path).map_err(|e| NnError::io(path, &e))?;
        Self::from_bytes(&buffer).map_err(|e| e.in_file(path))
    }

    /// Parses checkpoint bytes (see [`Checkpoint::load`]); errors are
    /// [`NnError::InvalidFile`].
    pub fn from_bytes(buffer: &[u8]) -> Result<Self> {
        let (st, mut meta, header_len) = open(buffer)?;
        match meta.get(FORMAT_KEY).map(String::as_str) {
            Some(FORMAT_VERSION) => {}
            Some(other) => {
                return Err(NnError::invalid_file(format!(
                    "unsupported format '{other}' (this build reads {FORMAT_VERSION})"
                )));
            }
            None => {
                return Err(NnError::invalid_file(
                    "no recur format tag (not written by recur)",
                ));
            }
        }
        let Some(stored) = meta.remove(CHECKSUM_KEY) else {
            return Err(NnError::invalid_file("no checksum"));
        };
        // Dtypes first: a wrong one is a clearer message than the checksum mismatch it may
        // come with.
        let mut tensors = BTreeMap::new();
        for (name, view) in st.tensors() {
            let t = f32_tensor(&name, &view)?;
            tensors.insert(name, t);
        }
        let well_formed = stored.len() == CHECKSUM_DIGITS
            && stored
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !well_formed {
            return Err(NnError::invalid_file(format!(
                "the checksum '{stored}' is not {CHECKSUM_DIGITS} hex digits: the file is corrupted"
            )));
        }
        let at = checksum_position(buffer, header_len, &stored).map_err(|e| {
            NnError::invalid_file(format!("{e}: the header is corrupted or not recur's"))
        })?;
        let actual = file_checksum(buffer, at);
        if actual != stored {
            return Err(NnError::invalid_file(format!(
                "checksum mismatch (stored {stored}, computed {actual}): the file is corrupted"
            )));
        }
        meta.remove(FORMAT_KEY);
        Ok(Checkpoint {
            metadata: meta.into_iter().collect(),
            tensors,
        })
    }
}

/// Parses the safetensors structure of `buffer` (every size is checked against the buffer's
/// length first): the tensors, the metadata entries and the header's length in bytes.
pub(crate) fn open(buffer: &[u8]) -> Result<(SafeTensors<'_>, HashMap<String, String>, usize)> {
    let not_safetensors = |e: safetensors::SafeTensorError| {
        NnError::invalid_file(format!(
            "{e} (the file is truncated, corrupted or not a safetensors file)"
        ))
    };
    let st = SafeTensors::deserialize(buffer).map_err(not_safetensors)?;
    let (header_len, header) = SafeTensors::read_metadata(buffer).map_err(not_safetensors)?;
    let meta = header.metadata().clone().unwrap_or_default();
    Ok((st, meta, header_len))
}

/// The f32 values of a stored tensor; any other dtype is an error naming the tensor.
pub(crate) fn f32_tensor(name: &str, view: &TensorView<'_>) -> Result<ParamTensor> {
    if view.dtype() != Dtype::F32 {
        return Err(NnError::invalid_file(format!(
            "tensor '{name}' has dtype {:?}, expected F32",
            view.dtype()
        )));
    }
    let data = view
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(ParamTensor {
        shape: view.shape().to_vec(),
        data,
    })
}

fn le_bytes(data: &[f32]) -> Vec<u8> {
    data.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// 64-bit FNV-1a: tiny, dependency-free, and enough to catch accidental corruption (not
/// tampering). The one checksum of recur's files, old formats included.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    pub(crate) fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash as 16 lowercase hex digits.
    pub(crate) fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// FNV-1a of `buffer` with the checksum digits at `at` read as `0`s.
fn file_checksum(buffer: &[u8], at: usize) -> String {
    let mut h = Fnv1a::new();
    h.feed(&buffer[..at]);
    h.feed(&[b'0'; CHECKSUM_DIGITS]);
    h.feed(&buffer[at + CHECKSUM_DIGITS..]);
    h.hex()
}

/// Offset in `buffer` of the digits of the checksum entry `"CHECKSUM_KEY":"digits"` in the
/// JSON header (which is `buffer[8..8 + header_len]`). JSON escapes every quote inside a
/// string, so the entry's text can only occur where the entry is; it must occur exactly once.
fn checksum_position(
    buffer: &[u8],
    header_len: usize,
    digits: &str,
) -> std::result::Result<usize, String> {
    let header = buffer
        .get(8..8 + header_len)
        .ok_or_else(|| "the header is shorter than its stated length".to_string())?;
    let entry = format!("\"{CHECKSUM_KEY}\":\"{digits}\"");
    let entry = entry.as_bytes();
    let mut found = header
        .windows(entry.len())
        .enumerate()
        .filter(|(_, w)| w == &entry)
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(i), None) => Ok(8 + i + entry.len() - 1 - CHECKSUM_DIGITS),
        (None, _) => Err(format!("the entry '{CHECKSUM_KEY}' is not in the header")),
        (Some(_), Some(_)) => Err(format!("the entry '{CHECKSUM_KEY}' occurs twice")),
    }
}

/// Rewrites the JSON header of a serialized file with its keys sorted, in place. safetensors
/// writes the metadata in a `HashMap`'s order, which each process draws at random; sorted, the
/// same checkpoint is the same bytes in every run (and its checksum too). Readers do not depend
/// on key order, and the sorted header has the same length, so the data offsets are unchanged.
fn sort_header(buffer: &mut [u8], header_len: usize) -> std::result::Result<(), String> {
    let header = buffer
        .get_mut(8..8 + header_len)
        .ok_or_else(|| "the header is shorter than its stated length".to_string())?;
    // serde_json's maps are ordered by key (the crate is built without `preserve_order`).
    let value: serde_json::Value =
        serde_json::from_slice(header.trim_ascii_end()).map_err(|e| e.to_string())?;
    let sorted = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
    if sorted.len() > header.len() {
        return Err(format!(
            "the sorted header has {} bytes, more than the {} laid out",
            sorted.len(),
            header.len()
        ));
    }
    // safetensors pads the header with spaces so the data starts aligned; keep that length.
    header.fill(b' ');
    header[..sorted.len()].copy_from_slice(&sorted);
    Ok(())
}

/// Tells apart the temporary files of concurrent saves from one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to a new temporary sibling of `path`, syncs it, then renames it into place
/// (a rename within one folder is atomic, so readers see the old file or the new one).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| NnError::invalid("path", path.display(), "a file path"))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(NnError::io(path, &e));
    }
    Ok(())
}
