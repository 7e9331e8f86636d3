//! What SimpleRNN, LSTM and GRU share around their fused autograd ops (Keras's `RNN` base layer
//! and `DropoutRNNCell`): argument validation, the input-shape check, the call's start (stateful
//! batch check, carried or given initial states, dropout masks drawn once per call) and its end
//! (carried states written back, output and returned states chosen, activity penalty).
//!
//! States are kept flat: a layer with `n` states (1 for SimpleRNN and GRU, 2 for LSTM: `h`
//! then `c`) carries `n · batch · units` values, state `k` at `[k·batch·units ..]`.

use autograd::{Tape, Var};
use rand_chacha::ChaCha8Rng;

use super::{LayerOutput, activity_penalty, ag};
use crate::error::{NnError, Result};
use crate::regularizers::Regularizer;

/// Most states a recurrent layer has (LSTM's `h` and `c`).
pub(super) const MAX_STATES: usize = 2;

/// The arguments the call logic needs, borrowed from a layer's config.
pub(super) struct Spec<'a> {
    /// Keras class name (`SimpleRNN`, `LSTM`, `GRU`), for messages.
    pub class: &'static str,
    /// State size.
    pub units: usize,
    /// Number of states (1 or 2).
    pub n_states: usize,
    /// Gate blocks of the cell's kernels (1 for SimpleRNN, 4 for LSTM, 3 for GRU). With a
    /// nonzero `recurrent_dropout`, Keras 3 runs gated cells as `implementation=1`, which draws
    /// one input mask and one recurrent mask per gate block; so does recur.
    pub gate_blocks: usize,
    /// Input dropout rate.
    pub dropout: f32,
    /// Recurrent dropout rate.
    pub recurrent_dropout: f32,
    /// Return every output rather than the last.
    pub return_sequences: bool,
    /// Also return the final states.
    pub return_state: bool,
    /// Carry the final states into the next call.
    pub stateful: bool,
    /// Penalty on every returned tensor.
    pub activity_regularizer: &'a Option<Regularizer>,
}

/// Checks the dropout rates of a `class` layer: `[0, 1]`, rejecting what Keras silently clamps.
/// A gated cell (LSTM, GRU) also rejects exactly 1: Keras's LSTMCell and GRUCell apply their
/// masks only for `0 < rate < 1`, so at 1 they silently train without dropout (while its
/// SimpleRNN drops everything, as recur does).
pub(super) fn validate_rates(class: &str, dropout: f32, recurrent_dropout: f32) -> Result<()> {
    for (name, rate) in [
        ("dropout", dropout),
        ("recurrent_dropout", recurrent_dropout),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(NnError::invalid(
                name,
                rate,
                "a rate in [0, 1] (Keras silently clamps out-of-range rates; recur rejects them)",
            ));
        }
        if rate == 1.0 && class != "SimpleRNN" {
            return Err(NnError::invalid(
                name,
                rate,
                &format!(
                    "a rate below 1 for {class} (Keras's {class} cell ignores a rate of 1 and \
                     trains without dropout; pass 0 for no dropout)"
                ),
            ));
        }
    }
    Ok(())
}

/// The error for an input of the wrong rank. A 2-D input where a recurrent layer wants 3-D is a
/// common stumbling block for Keras users (keras-team/keras#2415, #2091), so the message names
/// the expected layout and suggests the usual fix.
pub(super) fn rank_error(class: &str, layer: &str, rank: usize, what: &str) -> NnError {
    let hint = if rank == 2 {
        "a 2-D input usually comes from a recurrent layer without return_sequences=True before \
         this one (set it), or from data with one value per timestep (reshape it to \
         (batch, timesteps, 1))"
    } else {
        "reshape the data to (batch, timesteps, features)"
    };
    NnError::invalid(
        what,
        format!("an input of rank {rank}"),
        &format!(
            "{class} layer '{layer}' expects input of rank 3, laid out as (batch, timesteps, \
             features); {hint}"
        ),
    )
}

/// Checks a build-time input shape `(timesteps, features)` and returns `features`.
pub(super) fn input_features(class: &str, layer: &str, input_shape: &[usize]) -> Result<usize> {
    if input_shape.len() != 2 {
        return Err(rank_error(
            class,
            layer,
            input_shape.len() + 1,
            "input_shape",
        ));
    }
    if input_shape[0] == 0 || input_shape[1] == 0 {
        return Err(NnError::invalid(
            "input_shape",
            format!("{input_shape:?}"),
            &format!(
                "at least one timestep and one feature for {class} layer '{layer}' \
                 (timesteps, features)"
            ),
        ));
    }
    Ok(input_shape[1])
}

/// The output shape (without batch) of a recurrent layer.
pub(super) fn output_shape(
    input_shape: &[usize],
    units: usize,
    return_sequences: bool,
) -> Vec<usize> {
    if return_sequences {
        vec![input_shape[0], units]
    } else {
        vec![units]
    }
}

/// What a recurrent call reads and updates besides its parameters.
pub(super) struct CallState<'a> {
    /// The dropout stream.
    pub rng: &'a mut ChaCha8Rng,
    /// Carried states of a stateful layer (`n_states · batch · units`).
    pub states: &'a mut Vec<f32>,
    /// The batch size a stateful layer is fixed to.
    pub state_batch: &'a mut Option<usize>,
}

/// The start of a call: sizes, initial states and dropout masks.
pub(super) struct Begin {
    /// Batch size.
    pub batch: usize,
    /// Initial states (None: zeros), `h` first.
    pub initial: [Option<Var>; MAX_STATES],
    /// Input dropout mask `(batch, features)`, or `(gates, batch, features)` (one per gate
    /// block), in training calls with a rate.
    pub input_mask: Option<Var>,
    /// Recurrent dropout mask `(batch, units)`, or `(gates, batch, units)`, in training calls
    /// with a rate.
    pub recurrent_mask: Option<Var>,
}

/// Checks the input's rank, fixes or checks a stateful layer's batch size, picks the initial
/// states (given ones override carried ones) and draws the dropout masks (training only).
pub(super) fn begin(
    spec: &Spec<'_>,
    name: &str,
    tape: &mut Tape,
    x: Var,
    training: bool,
    initial_states: &[Var],
    st: &mut CallState<'_>,
) -> Result<Begin> {
    let class = spec.class;
    let xs = tape.shape(x).map_err(ag("recurrent layer input"))?;
    if xs.rank() != 3 {
        return Err(rank_error(class, name, xs.rank(), "input"));
    }
    let (b, f, u, n) = (xs.dims()[0], xs.dims()[2], spec.units, spec.n_states);
    if !initial_states.is_empty() && initial_states.len() != n {
        let want = if n == 1 { "[h]" } else { "[h, c]" };
        return Err(NnError::invalid(
            "initial_state",
            format!("{} tensors", initial_states.len()),
            &format!("{n} tensors {want} of shape (batch, units) for {class} layer '{name}'"),
        ));
    }
    let e = || ag("recurrent layer call");
    let mut initial = [None; MAX_STATES];
    for (slot, &v) in initial.iter_mut().zip(initial_states) {
        *slot = Some(v);
    }
    if spec.stateful {
        match *st.state_batch {
            Some(sb) if sb != b => {
                return Err(NnError::invalid(
                    "batch_size",
                    b,
                    &format!(
                        "batches of exactly {sb} samples: stateful {class} layer '{name}' \
                         keeps one state per sample and was first called with {sb}; use a \
                         batch_size that divides the number of samples (or drop the \
                         remainder), and call predict/evaluate with batch_size={sb}"
                    ),
                ));
            }
            Some(_) => {}
            None => {
                *st.state_batch = Some(b);
                st.states.clear();
                st.states.resize(n * b * u, 0.0);
            }
        }
        if initial_states.is_empty() {
            for (k, slot) in initial.iter_mut().take(n).enumerate() {
                let s = &st.states[k * b * u..(k + 1) * b * u];
                *slot = Some(tape.constant(s, &[b, u]).map_err(e())?);
            }
        }
    }
    // Keras's masks: `[batch, width]`, or one per gate block (`[gates, batch, width]`) when a
    // gated cell has recurrent dropout (implementation 1).
    let first_dim = usize::from(spec.gate_blocks < 2 || spec.recurrent_dropout == 0.0);
    let (x_dims, h_dims) = ([spec.gate_blocks, b, f], [spec.gate_blocks, b, u]);
    let input_mask = if training && spec.dropout > 0.0 {
        Some(
            tape.dropout_mask(&x_dims[first_dim..], spec.dropout, st.rng)
                .map_err(e())?,
        )
    } else {
        None
    };
    let recurrent_mask = if training && spec.recurrent_dropout > 0.0 {
        Some(
            tape.dropout_mask(&h_dims[first_dim..], spec.recurrent_dropout, st.rng)
                .map_err(e())?,
        )
    } else {
        None
    };
    Ok(Begin {
        batch: b,
        initial,
        input_mask,
        recurrent_mask,
    })
}

/// The end of a call: writes a stateful layer's final states back, picks the output
/// (`sequence`, recorded only with `return_sequences`, or the last state) and the returned
/// states, and adds the activity penalty of every returned tensor (Keras's `Layer.__call__`
/// regularizes each flattened output).
pub(super) fn finish(
    spec: &Spec<'_>,
    tape: &mut Tape,
    batch: usize,
    sequence: Option<Var>,
    finals: [Option<Var>; MAX_STATES],
    st: &mut CallState<'_>,
) -> Result<LayerOutput> {
    let e = || ag("recurrent layer output");
    let bu = batch * spec.units;
    if spec.stateful {
        for (k, f) in finals.iter().take(spec.n_states).enumerate() {
            let v = f.expect("every state has a final value");
            let vals = tape.value(v).map_err(e())?;
            st.states[k * bu..(k + 1) * bu].copy_from_slice(vals);
        }
    }
    let last = finals[0].expect("h is always returned");
    let output = match sequence {
        Some(s) if spec.return_sequences => s,
        _ => last,
    };
    let (state, carry_state) = if spec.return_state {
        (Some(last), finals[1])
    } else {
        (None, None)
    };
    let activity_penalty = match spec.activity_regularizer {
        Some(r) => {
            let mut p = activity_penalty(tape, r, output, batch)?;
            for s in [state, carry_state].into_iter().flatten() {
                let q = activity_penalty(tape, r, s, batch)?;
                p = tape.add(p, q).map_err(e())?;
            }
            Some(p)
        }
        None => None,
    };
    Ok(LayerOutput {
        output,
        state,
        carry_state,
        activity_penalty,
    })
}
