//! Saving and loading a whole `Sequential` model in one file.
//!
//! # Why safetensors with JSON metadata
//! - **One self-describing file**: the safetensors container holds the tensors (weights,
//!   optimizer slots, carried RNN states, the f32 learning rate) as raw little-endian f32 with
//!   names and shapes, and a string map of metadata where recur keeps one JSON document
//!   ([`SavedMetadata`]): architecture (the serializable layer configs), compile config,
//!   optimizer iteration count, epoch count, seed and every RNG state. That is everything needed
//!   to predict bit-identically and to resume training as if it had never stopped.
//! - **Safe to open**: the format is a length-prefixed JSON header plus a flat byte buffer; the
//!   reader bounds-checks every tensor, unlike pickle-based formats, and nothing is executed.
//! - **Exact**: f32 values are stored bit for bit (no text round trip), and the JSON parser is
//!   built with `float_roundtrip` so f64 hyperparameters come back exactly.
//! - **Interoperable**: Python (`safetensors`, numpy), Rust and other tools read it, so weights
//!   can be inspected or moved to Keras by hand; the tensor names follow Keras paths.
//!
//! The file is written to a temporary name in the destination folder, flushed, then renamed over
//! the destination, so a crash never leaves a half-written model. Loading validates the header,
//! the JSON, the format version, every tensor's presence, dtype, shape and finiteness, the tensor
//! count and a checksum of all tensor bytes (so a flipped byte is caught), and reports what is
//! wrong, naming the file.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::Sequential;
use crate::batching::RngState;
use crate::error::{NnError, Result};
use crate::layers::LayerConfig;
use crate::optimizer::{NamedSlot, OptimizerConfig, OptimizerState};
use autograd::Loss;

/// Version of the layout written by [`Sequential::save`].
pub const FORMAT_VERSION: u32 = 1;

/// The `format` field of every recur model file.
const FORMAT_NAME: &str = "recur.sequential";

/// The safetensors metadata key holding the JSON document.
const METADATA_KEY: &str = "recur";

/// The safetensors metadata key holding the caller's own JSON document
/// ([`Sequential::save_with_metadata`]), kept verbatim and covered by the checksum.
const USER_METADATA_KEY: &str = "recur.user";

/// Everything about a saved model besides its tensors (stored as JSON in the file's metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedMetadata {
    /// Always `"recur.sequential"`.
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub version: u32,
    /// Model name.
    pub name: String,
    /// Model seed.
    pub seed: u64,
    /// Input shape without the batch axis (None: never built).
    pub input_shape: Option<Vec<usize>>,
    /// Layer configs, in order (names included).
    pub layers: Vec<LayerConfig>,
    /// Compiled loss.
    pub loss: Option<Loss>,
    /// Compiled optimizer config.
    pub optimizer: Option<OptimizerConfig>,
    /// Optimizer iterations, once built (None: not trained yet).
    pub optimizer_iterations: Option<u64>,
    /// Completed epochs.
    pub epochs_done: usize,
    /// State of the shuffling RNG.
    pub shuffle_rng: RngState,
    /// State of each layer's dropout RNG.
    pub layer_rngs: Vec<RngState>,
    /// Each layer's fixed stateful batch size (None: not stateful or not called yet).
    pub stateful_batch: Vec<Option<usize>>,
    /// Names of the tensors, in checksum order.
    pub tensors: Vec<String>,
    /// FNV-1a 64 of the tensors' bytes in `tensors` order, hex.
    pub checksum: String,
}

fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= b as u64;
        *hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One saved tensor: name, shape, values.
type NamedTensor = (String, Vec<usize>, Vec<f32>);

fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn file_err(path: &Path, what: impl std::fmt::Display) -> NnError {
    NnError::state(format!("model file '{}': {what}", path.display()))
}

impl Sequential {
    /// Every tensor of the model, `(name, shape, values)`, in a fixed order.
    fn saved_tensors(&self) -> Result<Vec<NamedTensor>> {
        let mut out = Vec::new();
        for l in &self.layers {
            for p in l.params() {
                out.push((
                    format!("weights/{}/{}", l.name(), p.name),
                    p.shape.clone(),
                    p.value.clone(),
                ));
            }
            if let Some(b) = l.stateful_batch_size() {
                let s = l.states();
                out.push((format!("state/{}", l.name()), l.states_shape(b), s.to_vec()));
            }
        }
        if let Some(opt) = self.optimizer.as_ref().filter(|o| o.is_built()) {
            let st = opt.export_state();
            let infos = opt.params();
            let per = opt.slot_names().len();
            for (k, slot) in st.slots.iter().enumerate() {
                out.push((
                    format!("optimizer/{}", slot.name),
                    infos[k / per.max(1)].shape.clone(),
                    slot.data.clone(),
                ));
            }
            for g in &st.globals {
                out.push((
                    format!("optimizer_global/{}", g.name),
                    vec![1],
                    g.data.clone(),
                ));
            }
            out.push((
                "optimizer_learning_rate".to_string(),
                vec![1],
                vec![st.learning_rate],
            ));
        }
        Ok(out)
    }

    /// Saves the model (architecture, weights, compile config, optimizer state, epoch count,
    /// RNG states) to one safetensors file, atomically (temporary file, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_impl(path.as_ref(), None)
    }

    /// [`Sequential::save`] plus a JSON document of the caller's own (e.g. the data settings
    /// an application needs to use the model), stored in the same file's metadata and covered
    /// by its checksum. Read it back with [`Sequential::load_with_metadata`];
    /// [`Sequential::load`] ignores it.
    pub fn save_with_metadata(
        &self,
        path: impl AsRef<Path>,
        metadata: &serde_json::Value,
    ) -> Result<()> {
        let path = path.as_ref();
        let text = serde_json::to_string(metadata)
            .map_err(|e| file_err(path, format!("cannot encode the user metadata: {e}")))?;
        self.save_impl(path, Some(&text))
    }

    fn save_impl(&self, path: &Path, user: Option<&str>) -> Result<()> {
        let tensors = self.saved_tensors()?;
        let mut hash = FNV_OFFSET;
        let bytes: Vec<Vec<u8>> = tensors.iter().map(|(_, _, v)| to_bytes(v)).collect();
        for b in &bytes {
            fnv1a(&mut hash, b);
        }
        // The user document is hashed after the tensors, so files without one keep the
        // checksum they always had.
        if let Some(u) = user {
            fnv1a(&mut hash, u.as_bytes());
        }
        let meta = SavedMetadata {
            format: FORMAT_NAME.to_string(),
            version: FORMAT_VERSION,
            name: self.name.clone(),
            seed: self.seed,
            input_shape: self.input_shape.clone(),
            layers: self.layers.iter().map(|l| l.config().clone()).collect(),
            loss: self.loss,
            optimizer: self.optimizer.as_ref().map(|o| o.config().clone()),
            optimizer_iterations: self
                .optimizer
                .as_ref()
                .filter(|o| o.is_built())
                .map(|o| o.iterations()),
            epochs_done: self.epochs_done,
            shuffle_rng: self.shuffler.state(),
            layer_rngs: self.layers.iter().map(|l| l.rng_state()).collect(),
            stateful_batch: self
                .layers
                .iter()
                .map(|l| l.stateful_batch_size())
                .collect(),
            tensors: tensors.iter().map(|(n, _, _)| n.clone()).collect(),
            checksum: format!("{hash:016x}"),
        };
        let json = serde_json::to_string(&meta)
            .map_err(|e| file_err(path, format!("cannot encode metadata: {e}")))?;
        let mut views = Vec::with_capacity(tensors.len());
        for ((name, shape, _), b) in tensors.iter().zip(&bytes) {
            let v = TensorView::new(Dtype::F32, shape.clone(), b)
                .map_err(|e| file_err(path, format!("tensor '{name}': {e}")))?;
            views.push((name.clone(), v));
        }
        let mut md = HashMap::new();
        md.insert(METADATA_KEY.to_string(), json);
        if let Some(u) = user {
            md.insert(USER_METADATA_KEY.to_string(), u.to_string());
        }
        let buf = safetensors::serialize(views, Some(md))
            .map_err(|e| file_err(path, format!("cannot serialize: {e}")))?;
        write_atomically(path, &buf)
    }

    /// Loads a model saved by [`Sequential::save`]: it predicts bit-identically and resumes
    /// training exactly where it stopped. Every part of the file is validated first.
    pub fn load(path: impl AsRef<Path>) -> Result<Sequential> {
        let path = path.as_ref();
        let buf = std::fs::read(path).map_err(|e| file_err(path, format!("cannot read: {e}")))?;
        Self::from_bytes(&buf).map_err(|e| file_err(path, e))
    }

    /// [`Sequential::load`] that also returns the caller's JSON document saved by
    /// [`Sequential::save_with_metadata`] (`None` for a file saved without one).
    pub fn load_with_metadata(
        path: impl AsRef<Path>,
    ) -> Result<(Sequential, Option<serde_json::Value>)> {
        let path = path.as_ref();
        let buf = std::fs::read(path).map_err(|e| file_err(path, format!("cannot read: {e}")))?;
        Self::from_bytes_with_metadata(&buf).map_err(|e| file_err(path, e))
    }

    /// [`Sequential::load`] from the file's bytes (errors do not name a file).
    pub fn from_bytes(buf: &[u8]) -> Result<Sequential> {
        Self::from_bytes_with_metadata(buf).map(|(m, _)| m)
    }

    /// [`Sequential::load_with_metadata`] from the file's bytes (errors do not name a file).
    pub fn from_bytes_with_metadata(buf: &[u8]) -> Result<(Sequential, Option<serde_json::Value>)> {
        let bad = |m: String| NnError::state(m);
        let st = SafeTensors::deserialize(buf).map_err(|e| {
            bad(format!(
                "not a valid safetensors file (truncated or corrupted?): {e}"
            ))
        })?;
        let (_, header) = SafeTensors::read_metadata(buf)
            .map_err(|e| bad(format!("unreadable safetensors header: {e}")))?;
        let json = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get(METADATA_KEY))
            .ok_or_else(|| {
                bad("no recur metadata: this safetensors file was not written by recur".into())
            })?;
        let meta: SavedMetadata = serde_json::from_str(json)
            .map_err(|e| bad(format!("corrupted model description (JSON): {e}")))?;
        let user_text = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get(USER_METADATA_KEY));
        if meta.format != FORMAT_NAME {
            return Err(bad(format!(
                "format '{}' is not '{FORMAT_NAME}'",
                meta.format
            )));
        }
        if meta.version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {} is not supported (this recur reads version {FORMAT_VERSION})",
                meta.version
            )));
        }
        if st.len() != meta.tensors.len() {
            return Err(bad(format!(
                "{} tensors in the file but the description lists {}",
                st.len(),
                meta.tensors.len()
            )));
        }
        let mut hash = FNV_OFFSET;
        let mut values: HashMap<&str, (Vec<usize>, Vec<f32>)> = HashMap::new();
        for name in &meta.tensors {
            let t = st
                .tensor(name)
                .map_err(|e| bad(format!("tensor '{name}' missing: {e}")))?;
            if t.dtype() != Dtype::F32 {
                return Err(bad(format!("tensor '{name}' is {:?}, not F32", t.dtype())));
            }
            fnv1a(&mut hash, t.data());
            let v: Vec<f32> = t
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(bad(format!(
                    "tensor '{name}' holds a non-finite value ({}) at index {i}",
                    v[i]
                )));
            }
            values.insert(name.as_str(), (t.shape().to_vec(), v));
        }
        if let Some(u) = user_text {
            fnv1a(&mut hash, u.as_bytes());
        }
        if format!("{hash:016x}") != meta.checksum {
            return Err(bad(
                "checksum mismatch: the tensor data or the user metadata is corrupted".to_string(),
            ));
        }
        let user = user_text
            .map(|u| serde_json::from_str::<serde_json::Value>(u))
            .transpose()
            .map_err(|e| bad(format!("corrupted user metadata (JSON): {e}")))?;
        let mut take = |name: &str, shape: &[usize]| -> Result<Vec<f32>> {
            let (s, v) = values
                .remove(name)
                .ok_or_else(|| bad(format!("tensor '{name}' is missing")))?;
            if s != shape {
                return Err(bad(format!(
                    "tensor '{name}' has shape {s:?} but the architecture needs {shape:?}"
                )));
            }
            Ok(v)
        };

        let mut m = Sequential::with_seed(meta.seed);
        m.name = meta.name.clone();
        for c in &meta.layers {
            m.namer.next_for_class(c.class_name());
            m.add(c.clone())?;
        }
        if let Some(s) = &meta.input_shape {
            m.set_input_shape(s)?;
        }
        if meta.layer_rngs.len() != m.layers.len() || meta.stateful_batch.len() != m.layers.len() {
            return Err(bad(format!(
                "RNG and state lists do not match the {} layers",
                m.layers.len()
            )));
        }
        for (i, l) in m.layers.iter_mut().enumerate() {
            let lname = l.name().to_string();
            for p in l.params_mut() {
                let shape = p.shape.clone();
                p.value = take(&format!("weights/{lname}/{}", p.name), &shape)?;
            }
            l.set_rng_state(&meta.layer_rngs[i]);
            if let Some(b) = meta.stateful_batch[i] {
                let s = take(&format!("state/{lname}"), &l.states_shape(b))?;
                l.set_states(Some(b), &s)?;
            }
        }
        match (meta.loss, &meta.optimizer) {
            (Some(loss), Some(oc)) => m.compile(loss, oc.clone())?,
            (None, None) => {}
            _ => return Err(bad("loss and optimizer must be saved together".into())),
        }
        if let Some(iterations) = meta.optimizer_iterations {
            let infos = m.param_infos();
            let opt = m
                .optimizer
                .as_mut()
                .ok_or_else(|| bad("optimizer state without an optimizer config".into()))?;
            opt.build(&infos)?;
            let mut slots = Vec::new();
            let names: Vec<&'static str> = opt.slot_names().to_vec();
            for p in &infos {
                for s in &names {
                    let n = format!("{}/{s}", p.name);
                    let data = take(&format!("optimizer/{n}"), &p.shape)?;
                    slots.push(NamedSlot { name: n, data });
                }
            }
            let mut globals = Vec::new();
            let gnames: Vec<String> = meta
                .tensors
                .iter()
                .filter_map(|t| t.strip_prefix("optimizer_global/").map(str::to_string))
                .collect();
            for g in gnames {
                let data = take(&format!("optimizer_global/{g}"), &[1])?;
                globals.push(NamedSlot { name: g, data });
            }
            let lr = take("optimizer_learning_rate", &[1])?[0];
            opt.import_state(&OptimizerState {
                iterations,
                learning_rate: lr,
                slots,
                globals,
            })?;
        }
        if let Some(name) = values.keys().next() {
            return Err(bad(format!(
                "tensor '{name}' does not belong to the described model"
            )));
        }
        m.shuffler.set_state(&meta.shuffle_rng);
        m.epochs_done = meta.epochs_done;
        Ok((m, user))
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| file_err(path, "the path has no file name"))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        file_err(path, format!("cannot write: {e}"))
    })
}
