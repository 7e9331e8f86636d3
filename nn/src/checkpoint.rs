//! The checkpoint file: named f32 tensors plus string metadata, in the safetensors format.
//!
//! Why safetensors: a flat, documented layout (8-byte header length, JSON header with dtype,
//! shape and byte offsets of every tensor, then the raw little-endian data) that other tools
//! (Python's `safetensors`, numpy) can open, with room for free-form string metadata where the
//! model keeps its architecture config and training state as JSON. The `safetensors` crate
//! checks the header and that the offsets exactly cover the file, which catches truncation.
//!
//! Safetensors has no checksum, so recur adds one: a 64-bit FNV-1a over every tensor's name,
//! shape and bytes and every metadata entry, stored under [`CHECKSUM_KEY`]. A flipped bit
//! anywhere is then reported as corruption instead of loading wrong weights.
//!
//! Files are written atomically: to a temporary file in the same directory, flushed to disk,
//! then renamed over the destination, so a crash never leaves a half-written checkpoint.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::error::{NnError, Result};
use crate::param::ParamTensor;

/// Metadata key holding the checksum (hex FNV-1a 64).
pub const CHECKSUM_KEY: &str = "recur.checksum_fnv1a64";

/// Metadata key identifying the file as recur's, with the format version.
pub const FORMAT_KEY: &str = "recur.format";

/// Current value of [`FORMAT_KEY`].
pub const FORMAT_VERSION: &str = "recur-checkpoint-1";

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
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = self
            .tensors
            .iter()
            .map(|(n, t)| (n.clone(), t.shape.clone(), le_bytes(&t.data)))
            .collect();
        meta.insert(CHECKSUM_KEY.to_string(), checksum(&bytes, &meta));
        let views = bytes
            .iter()
            .map(|(n, s, b)| Ok((n.clone(), TensorView::new(Dtype::F32, s.clone(), b)?)))
            .collect::<std::result::Result<Vec<_>, safetensors::SafeTensorError>>()
            .map_err(|e| file_err(path, e).in_file(path))?;
        let buffer = safetensors::serialize(views, Some(meta))
            .map_err(|e| file_err(path, e).in_file(path))?;
        write_atomically(path, &buffer)
    }

    /// Reads and fully validates a checkpoint: the safetensors structure, the recur format
    /// tag, every tensor being f32, and the checksum.
    pub fn load(path: &Path) -> Result<Self> {
        let buffer = std::fs::read(path).map_err(|e| io_err(path, e))?;
        Self::from_bytes(&buffer).map_err(|e| e.in_file(path))
    }

    /// Parses checkpoint bytes (see [`Checkpoint::load`]).
    pub fn from_bytes(buffer: &[u8]) -> Result<Self> {
        let here = Path::new("<bytes>");
        let st = SafeTensors::deserialize(buffer).map_err(|e| {
            file_err(
                here,
                format!("{e} (the file is truncated or not a safetensors file)"),
            )
        })?;
        let (_, header) = SafeTensors::read_metadata(buffer).map_err(|e| file_err(here, e))?;
        let mut meta: HashMap<String, String> = header.metadata().clone().unwrap_or_default();
        match meta.get(FORMAT_KEY).map(String::as_str) {
            Some(FORMAT_VERSION) => {}
            Some(other) => {
                return Err(file_err(
                    here,
                    format!("unsupported format '{other}' (this build reads {FORMAT_VERSION})"),
                ));
            }
            None => return Err(file_err(here, "no recur format tag (not written by recur)")),
        }
        let Some(stored) = meta.remove(CHECKSUM_KEY) else {
            return Err(file_err(here, "no checksum"));
        };
        let mut bytes = Vec::new();
        let mut names: Vec<String> = st.names().into_iter().map(str::to_string).collect();
        names.sort();
        for name in names {
            let view = st.tensor(&name).map_err(|e| file_err(here, e))?;
            if view.dtype() != Dtype::F32 {
                return Err(file_err(
                    here,
                    format!("tensor '{name}' has dtype {:?}, expected F32", view.dtype()),
                ));
            }
            bytes.push((name, view.shape().to_vec(), view.data().to_vec()));
        }
        let actual = checksum(&bytes, &meta);
        if actual != stored {
            return Err(file_err(
                here,
                format!(
                    "checksum mismatch (stored {stored}, computed {actual}): the file is corrupted"
                ),
            ));
        }
        meta.remove(FORMAT_KEY);
        let tensors = bytes
            .into_iter()
            .map(|(n, shape, b)| {
                let data = b
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                (n, ParamTensor { shape, data })
            })
            .collect();
        Ok(Checkpoint {
            metadata: meta.into_iter().collect(),
            tensors,
        })
    }
}

fn le_bytes(data: &[f32]) -> Vec<u8> {
    data.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// FNV-1a 64 over tensors (sorted by name: name, shape, bytes) and metadata (sorted by key,
/// without the checksum itself), as 16 hex digits.
fn checksum(tensors: &[(String, Vec<usize>, Vec<u8>)], meta: &HashMap<String, String>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(PRIME);
        }
    };
    let mut sorted: Vec<&(String, Vec<usize>, Vec<u8>)> = tensors.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, shape, data) in sorted {
        feed(&(name.len() as u64).to_le_bytes());
        feed(name.as_bytes());
        feed(&(shape.len() as u64).to_le_bytes());
        for &d in shape {
            feed(&(d as u64).to_le_bytes());
        }
        feed(&(data.len() as u64).to_le_bytes());
        feed(data);
    }
    let mut keys: Vec<&String> = meta.keys().filter(|k| *k != CHECKSUM_KEY).collect();
    keys.sort();
    for k in keys {
        for part in [k.as_bytes(), meta[k].as_bytes()] {
            feed(&(part.len() as u64).to_le_bytes());
            feed(part);
        }
    }
    format!("{h:016x}")
}

fn io_err(path: &Path, e: std::io::Error) -> NnError {
    NnError::io(path, &e)
}

/// An [`NnError::InvalidFile`]; [`Checkpoint::load`] adds the path.
fn file_err(_path: &Path, e: impl std::fmt::Display) -> NnError {
    NnError::invalid_file(e.to_string())
}

/// Writes `bytes` to a temporary sibling of `path`, syncs it, then renames it into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| NnError::invalid("path", path.display(), "a file path"))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(path, e));
    }
    Ok(())
}
