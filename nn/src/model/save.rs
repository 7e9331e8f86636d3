//! Saving and loading a whole `Sequential` model in one file.
//!
//! # Why safetensors with JSON metadata
//! - **One self-describing file**: the file is a [`Checkpoint`]. Its tensors are the weights,
//!   optimizer slots, carried RNN states and the f32 learning rate, as raw little-endian f32
//!   with names and shapes; its metadata holds one JSON document under
//!   [`MODEL_METADATA_KEY`] ([`SavedMetadata`]): architecture (the serializable layer configs),
//!   compile config, optimizer iteration count, epoch count, seed and every RNG state. That is
//!   everything needed to predict bit-identically and to resume training as if it had never
//!   stopped. The caller may add a document of its own under [`USER_METADATA_KEY`].
//! - **Safe to open**: the format is a length-prefixed JSON header plus a flat byte buffer; the
//!   reader bounds-checks every tensor against the file's length, unlike pickle-based formats,
//!   and nothing is executed.
//! - **Exact**: f32 values are stored bit for bit (no text round trip), and the JSON parser is
//!   built with `float_roundtrip` so f64 hyperparameters come back exactly.
//! - **Interoperable**: Python (`safetensors`, numpy), Rust and other tools read it, so weights
//!   can be inspected or moved to Keras by hand; the tensor names follow Keras paths.
//!
//! Writing, the format tag and the checksum over every byte of the file are the checkpoint's
//! (see [`crate::checkpoint`]). Loading then checks that the description and the tensors fit:
//! every tensor present with the shape the architecture needs, none left over, all finite.
//! Files of the first model format (before models were checkpoints) still load, see
//! `legacy_v1.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Sequential, legacy_v1};
use crate::batching::RngState;
use crate::checkpoint::Checkpoint;
use crate::error::{NnError, Result};
use crate::layers::LayerConfig;
use crate::metrics::MetricSpec;
use crate::optimizer::{NamedSlot, OptimizerConfig, OptimizerState};
use crate::param::ParamTensor;
use autograd::Loss;

/// The checkpoint metadata key of the model's description ([`SavedMetadata`] as JSON).
pub const MODEL_METADATA_KEY: &str = "recur.model";

/// The checkpoint metadata key of the caller's own JSON document
/// ([`Sequential::save_with_metadata`]), kept verbatim.
pub const USER_METADATA_KEY: &str = "recur.user";

/// Everything about a saved model besides its tensors (stored as JSON in the file's metadata
/// under [`MODEL_METADATA_KEY`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedMetadata {
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
    /// Compiled metrics, in compile order (absent from files without metrics, so those keep
    /// their bytes and files written before metrics existed still load).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricSpec>,
}

impl Sequential {
    /// The model as a checkpoint: every tensor, the description, and `user` (the caller's
    /// JSON text) if given.
    fn to_checkpoint(&self, user: Option<String>) -> Result<Checkpoint> {
        let mut tensors = BTreeMap::new();
        let mut put = |name: String, shape: Vec<usize>, data: Vec<f32>| {
            tensors.insert(name, ParamTensor { shape, data });
        };
        for l in &self.layers {
            for p in l.params() {
                put(
                    format!("weights/{}/{}", l.name(), p.name),
                    p.shape.clone(),
                    p.value.clone(),
                );
            }
            if let Some(b) = l.stateful_batch_size() {
                put(
                    format!("state/{}", l.name()),
                    l.states_shape(b),
                    l.states().to_vec(),
                );
            }
        }
        if let Some(opt) = self.optimizer.as_ref().filter(|o| o.is_built()) {
            let st = opt.export_state();
            let infos = opt.params();
            let per = opt.slot_names().len();
            for (k, slot) in st.slots.into_iter().enumerate() {
                put(
                    format!("optimizer/{}", slot.name),
                    infos[k / per.max(1)].shape.clone(),
                    slot.data,
                );
            }
            for g in st.globals {
                put(format!("optimizer_global/{}", g.name), vec![1], g.data);
            }
            put(
                "optimizer_learning_rate".to_string(),
                vec![1],
                vec![st.learning_rate],
            );
        }
        let description = SavedMetadata {
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
            metrics: self.metrics.clone(),
        };
        let json = serde_json::to_string(&description)
            .map_err(|e| NnError::state(format!("cannot encode the model description: {e}")))?;
        let mut metadata = BTreeMap::from([(MODEL_METADATA_KEY.to_string(), json)]);
        if let Some(u) = user {
            metadata.insert(USER_METADATA_KEY.to_string(), u);
        }
        Ok(Checkpoint { metadata, tensors })
    }

    /// Saves the model (architecture, weights, compile config, optimizer state, epoch count,
    /// RNG states) to one file, atomically (temporary file in the same folder, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.to_checkpoint(None)?.save(path.as_ref())
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
        let text = serde_json::to_string(metadata)
            .map_err(|e| NnError::invalid("metadata", e, "a document JSON can encode"))?;
        self.to_checkpoint(Some(text))?.save(path.as_ref())
    }

    /// The bytes [`Sequential::save_with_metadata`] writes (or [`Sequential::save`], when
    /// `metadata` is `None`), without touching the file system.
    pub fn to_bytes_with_metadata(&self, metadata: Option<&serde_json::Value>) -> Result<Vec<u8>> {
        let text = metadata
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| NnError::invalid("metadata", e, "a document JSON can encode"))?;
        self.to_checkpoint(text)?.to_bytes()
    }

    /// Loads a model saved by [`Sequential::save`]: it predicts bit-identically and resumes
    /// training exactly where it stopped. Every part of the file is validated first; errors
    /// are [`NnError::Io`] or an [`NnError::File`] naming the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Sequential> {
        Self::load_with_metadata(path).map(|(m, _)| m)
    }

    /// [`Sequential::load`] that also returns the caller's JSON document saved by
    /// [`Sequential::save_with_metadata`] (`None` for a file saved without one).
    pub fn load_with_metadata(
        path: impl AsRef<Path>,
    ) -> Result<(Sequential, Option<serde_json::Value>)> {
        let path = path.as_ref();
        let buf = read_capped(path)?;
        Self::from_bytes_with_metadata(&buf).map_err(|e| e.in_file(path))
    }

    /// [`Sequential::load`] from the file's bytes (errors do not name a file).
    ///
    /// [`Sequential::load`] reads at most [`MAX_MODEL_FILE_BYTES`] from a file: a longer one
    /// (or an endless one such as `/dev/zero`) is refused before it fills memory.
    pub fn from_bytes(buf: &[u8]) -> Result<Sequential> {
        Self::from_bytes_with_metadata(buf).map(|(m, _)| m)
    }

    /// [`Sequential::load_with_metadata`] from the file's bytes (errors do not name a file).
    /// Reads the current format and the first model format (`"format": "recur.sequential"`,
    /// version 1), told apart by their format keys.
    pub fn from_bytes_with_metadata(buf: &[u8]) -> Result<(Sequential, Option<serde_json::Value>)> {
        if legacy_v1::is_v1(buf) {
            return Err(NnError::OldFormat {
                version: 1,
                unverified: legacy_v1::UNVERIFIED.to_string(),
            });
        }
        Self::from_checkpoint(Checkpoint::from_bytes(buf)?)
    }

    /// Reads a model file of any format this version knows, the older ones included, and says
    /// what their checksum could not verify (`None` for a current file, which is verified
    /// whole). Saving the model again writes the current format; this is the one way an old
    /// file is read, so that using one is a deliberate step.
    #[allow(clippy::type_complexity)]
    pub fn upgrade_bytes(
        buf: &[u8],
    ) -> Result<(Sequential, Option<serde_json::Value>, Option<&'static str>)> {
        if legacy_v1::is_v1(buf) {
            let (m, doc) = Self::from_checkpoint(legacy_v1::upgrade(buf)?)?;
            Ok((m, doc, Some(legacy_v1::UNVERIFIED)))
        } else {
            let (m, doc) = Self::from_checkpoint(Checkpoint::from_bytes(buf)?)?;
            Ok((m, doc, None))
        }
    }

    /// Rebuilds the model a checkpoint describes, checking that its tensors fit.
    fn from_checkpoint(c: Checkpoint) -> Result<(Sequential, Option<serde_json::Value>)> {
        let Checkpoint {
            mut metadata,
            tensors: mut values,
        } = c;
        let json = metadata.remove(MODEL_METADATA_KEY).ok_or_else(|| {
            NnError::invalid_file(format!(
                "no model description ('{MODEL_METADATA_KEY}'): this recur file holds no model"
            ))
        })?;
        let meta: SavedMetadata = serde_json::from_str(&json).map_err(|e| {
            NnError::invalid_file(format!("corrupted model description (JSON): {e}"))
        })?;
        let user = metadata
            .remove(USER_METADATA_KEY)
            .map(|u| serde_json::from_str::<serde_json::Value>(&u))
            .transpose()
            .map_err(|e| NnError::invalid_file(format!("corrupted user metadata (JSON): {e}")))?;
        if let Some(key) = metadata.keys().next() {
            return Err(NnError::invalid_file(format!(
                "unexpected metadata entry '{key}' in a model file"
            )));
        }
        for (name, t) in &values {
            if let Some(i) = t.data.iter().position(|x| !x.is_finite()) {
                return Err(NnError::invalid_file(format!(
                    "tensor '{name}' holds a non-finite value ({}) at index {i}",
                    t.data[i]
                )));
            }
        }
        check_sizes(&meta, &values)?;
        let global_names: Vec<String> = values
            .keys()
            .filter_map(|t| t.strip_prefix("optimizer_global/").map(str::to_string))
            .collect();
        let mut take = |name: &str, shape: &[usize]| -> Result<Vec<f32>> {
            let t = values
                .remove(name)
                .ok_or_else(|| NnError::invalid_file(format!("tensor '{name}' is missing")))?;
            if t.shape != shape {
                return Err(NnError::invalid_file(format!(
                    "tensor '{name}' has shape {:?} but the architecture needs {shape:?}",
                    t.shape
                )));
            }
            Ok(t.data)
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
            return Err(NnError::invalid_file(format!(
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
            (Some(loss), Some(oc)) => m.compile_with_metrics(loss, oc.clone(), meta.metrics)?,
            (None, None) if meta.metrics.is_empty() => {}
            _ => {
                return Err(NnError::invalid_file(
                    "loss and optimizer must be saved together, and metrics only with them",
                ));
            }
        }
        if let Some(iterations) = meta.optimizer_iterations {
            let infos = m.param_infos();
            let opt = m.optimizer.as_mut().ok_or_else(|| {
                NnError::invalid_file("optimizer state without an optimizer config")
            })?;
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
            for g in global_names {
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
            return Err(NnError::invalid_file(format!(
                "tensor '{name}' does not belong to the described model"
            )));
        }
        m.shuffler.set_state(&meta.shuffle_rng);
        m.epochs_done = meta.epochs_done;
        Ok((m, user))
    }
}

/// The largest model file [`Sequential::load`] reads (1 GiB): far above any model whose
/// parameters fit the layer caps, and small enough to refuse an endless or foreign file fast.
pub const MAX_MODEL_FILE_BYTES: u64 = 1 << 30;

/// The bytes of the file at `path`, refused when longer than [`MAX_MODEL_FILE_BYTES`]
/// (checked on the length first for a regular file, and while reading for other files).
fn read_capped(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let cap = MAX_MODEL_FILE_BYTES;
    let too_large = || {
        NnError::InvalidFile {
            reason: format!(
                "the file is larger than {cap} bytes, the largest model file recur reads"
            ),
        }
        .in_file(path)
    };
    let file = std::fs::File::open(path).map_err(|e| NnError::io(path, &e))?;
    let meta = file.metadata().map_err(|e| NnError::io(path, &e))?;
    if meta.is_dir() {
        return Err(NnError::InvalidFile {
            reason: "this is a folder, not a model file".to_string(),
        }
        .in_file(path));
    }
    if meta.is_file() && meta.len() > cap {
        return Err(too_large());
    }
    let hint = if meta.is_file() { meta.len() } else { 0 };
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| NnError::io(path, &e))?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Refuses a description whose layers need more weight values than the file's tensors hold,
/// before any layer is built. Why: building allocates and initializes every weight (an
/// orthogonal initializer is a QR decomposition), and only then are the tensors matched, so a
/// description with a huge `units` exhausted memory or ran for hours first. A version 1 file's
/// checksum does not cover its description, and any FNV-1a checksum can be recomputed by hand.
/// The count is a lower bound (a kernel of `features x units`, plus `units x units` for a
/// recurrent layer's), so every genuine file passes; what a build then allocates is a small
/// multiple of the file's size.
fn check_sizes(meta: &SavedMetadata, values: &BTreeMap<String, ParamTensor>) -> Result<()> {
    // A model never built is not built by loading either.
    let Some(shape) = &meta.input_shape else {
        return Ok(());
    };
    let held = (values.values().map(|t| t.data.len())).fold(0usize, usize::saturating_add);
    let mut features = shape.last().copied().unwrap_or(0);
    let mut needed = 0usize;
    for layer in &meta.layers {
        let units = layer.units();
        let mut weights = features.saturating_mul(units);
        if !matches!(layer, LayerConfig::Dense(_)) {
            weights = weights.saturating_add(units.saturating_mul(units));
        }
        needed = needed.saturating_add(weights);
        features = units;
    }
    if needed > held {
        return Err(NnError::invalid_file(format!(
            "the model description needs at least {needed} weight values (input shape \
             {shape:?}, units {:?}) but the file holds {held}: the description is corrupted",
            meta.layers
                .iter()
                .map(LayerConfig::units)
                .collect::<Vec<_>>()
        )));
    }
    Ok(())
}
