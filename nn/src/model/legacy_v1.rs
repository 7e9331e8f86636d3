//! Reading the first model file format, kept only so that files saved before models became
//! checkpoints still load. Nothing writes this format any more.
//!
//! A version 1 file is a safetensors file whose metadata has no `recur.format` tag but an entry
//! `"recur"`: a JSON document holding today's model description ([`SavedMetadata`]) plus
//! `"format": "recur.sequential"`, `"version": 1`, `"tensors"` (every tensor name, in checksum
//! order) and `"checksum"` (hex FNV-1a 64 of the tensors' bytes in that order, then of the
//! `"recur.user"` entry if there is one). [`upgrade`] checks all that and returns the checkpoint
//! a current file with the same content would give, so the rest of loading is shared.
//!
//! [`SavedMetadata`]: super::SavedMetadata

use std::collections::BTreeMap;

use serde::Deserialize;

use super::save::{MODEL_METADATA_KEY, USER_METADATA_KEY};
use crate::checkpoint::{self, Checkpoint, FORMAT_KEY, Fnv1a};
use crate::error::{NnError, Result};

/// The metadata key of the version 1 description.
const KEY: &str = "recur";

/// What the version 1 checksum leaves out: its description (architecture, compile and
/// optimizer settings, counters, random-generator states) was read unverified.
pub const UNVERIFIED: &str = "the model description (layer configs, loss, optimizer settings, \
     epoch and step counters, random-generator states)";

/// The fields version 1 adds to the model description.
#[derive(Deserialize)]
struct V1Fields {
    format: String,
    version: u32,
    tensors: Vec<String>,
    checksum: String,
}

/// True when `buf` is a safetensors file in the version 1 layout (no current format tag, a
/// `"recur"` entry). Anything else, unreadable bytes included, is left to the current reader
/// and its errors.
pub(super) fn is_v1(buf: &[u8]) -> bool {
    checkpoint::open(buf)
        .is_ok_and(|(_, meta, _)| !meta.contains_key(FORMAT_KEY) && meta.contains_key(KEY))
}

/// Checks a version 1 file (format, version, tensor list, dtypes, checksum) and returns its
/// content as a current checkpoint: the description without the version 1 fields under
/// [`MODEL_METADATA_KEY`], the caller's document under [`USER_METADATA_KEY`].
pub(super) fn upgrade(buf: &[u8]) -> Result<Checkpoint> {
    let (st, meta, _) = checkpoint::open(buf)?;
    let text = meta
        .get(KEY)
        .ok_or_else(|| NnError::invalid_file(format!("no '{KEY}' entry")))?;
    let mut description: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| NnError::invalid_file(format!("corrupted model description (JSON): {e}")))?;
    let mut fields = serde_json::Map::new();
    for name in ["format", "version", "tensors", "checksum"] {
        if let Some(v) = description.remove(name) {
            fields.insert(name.to_string(), v);
        }
    }
    let v1: V1Fields = serde_json::from_value(fields.into())
        .map_err(|e| NnError::invalid_file(format!("corrupted model description (JSON): {e}")))?;
    if v1.format != "recur.sequential" {
        return Err(NnError::invalid_file(format!(
            "format '{}' is not 'recur.sequential'",
            v1.format
        )));
    }
    if v1.version != 1 {
        return Err(NnError::invalid_file(format!(
            "format version {} is not supported (this recur reads version 1 and '{}')",
            v1.version,
            checkpoint::FORMAT_VERSION
        )));
    }
    if st.len() != v1.tensors.len() {
        return Err(NnError::invalid_file(format!(
            "{} tensors in the file but the description lists {}",
            st.len(),
            v1.tensors.len()
        )));
    }
    let mut hash = Fnv1a::new();
    let mut tensors = BTreeMap::new();
    for name in v1.tensors {
        let view = st
            .tensor(&name)
            .map_err(|e| NnError::invalid_file(format!("tensor '{name}' missing: {e}")))?;
        hash.feed(view.data());
        let t = checkpoint::f32_tensor(&name, &view)?;
        tensors.insert(name, t);
    }
    let user = meta.get(USER_METADATA_KEY);
    if let Some(u) = user {
        hash.feed(u.as_bytes());
    }
    if hash.hex() != v1.checksum {
        return Err(NnError::invalid_file(
            "checksum mismatch: the tensor data or the user metadata is corrupted",
        ));
    }
    let mut metadata = BTreeMap::from([(
        MODEL_METADATA_KEY.to_string(),
        serde_json::Value::Object(description).to_string(),
    )]);
    if let Some(u) = user {
        metadata.insert(USER_METADATA_KEY.to_string(), u.clone());
    }
    Ok(Checkpoint { metadata, tensors })
}
