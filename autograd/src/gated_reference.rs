//! LSTM and GRU built from basic ops, step by step: the references the fused [`Tape::lstm`] and
//! [`Tape::gru`] are tested (and benchmarked) against.

use crate::error::{AutogradError, Result};
use crate::ops::gru::{GruInputs, GruOptions, GruOutput};
use crate::ops::lstm::{LstmInputs, LstmOptions, LstmOutput};
use crate::tape::{Tape, Var};

impl Tape {
    /// `h ⊙ m_h`.
    fn masked(&mut self, h: Var, mask: Option<Var>) -> Result<Var> {
        match mask {
            Some(m) => self.mul(h, m),
            None => Ok(h),
        }
    }

    /// Gate block `g`'s mask: the mask itself when shared (`[B, W]`), its slice `g` when there is
    /// one per gate block (`[G, B, W]`).
    fn gate_mask(&mut self, mask: Option<Var>, g: usize) -> Result<Option<Var>> {
        match mask {
            Some(m) if self.shape(m)?.rank() == 3 => Ok(Some(self.select(m, 0, g)?)),
            other => Ok(other),
        }
    }

    /// `(a ⊙ m) · w` for `w` of `gates` column blocks: with per-gate masks, each block's product
    /// with its own mask, concatenated.
    fn gate_matmul(&mut self, a: Var, mask: Option<Var>, w: Var, gates: usize) -> Result<Var> {
        let per_gate = match mask {
            Some(m) => self.shape(m)?.rank() == 3,
            None => false,
        };
        if !per_gate {
            let a = self.masked(a, mask)?;
            return self.matmul(a, w);
        }
        let u = self.shape(w)?.dim(1) / gates;
        let mut blocks = Vec::with_capacity(gates);
        for g in 0..gates {
            let m = self.gate_mask(mask, g)?;
            let am = self.masked(a, m)?;
            let wg = self.slice(w, 1, g * u, u)?;
            blocks.push(self.matmul(am, wg)?);
        }
        self.concat(&blocks, 1)
    }

    /// The same computation as [`Tape::lstm`] (same arguments and outputs) recorded as select,
    /// mul, matmul, add, slice, activation and stack nodes, one set per timestep.
    pub fn lstm_unfused(
        &mut self,
        inputs: &LstmInputs,
        options: &LstmOptions,
    ) -> Result<LstmOutput> {
        let xs = self.shape(inputs.x)?;
        let steps = xs.dims().get(1).copied().unwrap_or(0);
        let u = self.shape(inputs.recurrent_kernel)?.dim(0);
        let (act, ract) = (options.activation, options.recurrent_activation);
        let mut h = inputs.initial_h;
        let mut c = inputs.initial_c;
        let mut states = Vec::with_capacity(steps);
        for s in 0..steps {
            let t = if options.go_backwards {
                steps - 1 - s
            } else {
                s
            };
            let xt = self.select(inputs.x, 1, t)?;
            let mut z = self.gate_matmul(xt, inputs.input_mask, inputs.kernel, 4)?;
            if let Some(hp) = h {
                let r = self.gate_matmul(hp, inputs.recurrent_mask, inputs.recurrent_kernel, 4)?;
                z = self.add(z, r)?;
            }
            if let Some(b) = inputs.bias {
                z = self.add(z, b)?;
            }
            let zi = self.slice(z, 1, 0, u)?;
            let zf = self.slice(z, 1, u, u)?;
            let zc = self.slice(z, 1, 2 * u, u)?;
            let zo = self.slice(z, 1, 3 * u, u)?;
            let i = self.activation(zi, ract)?;
            let f = self.activation(zf, ract)?;
            let g = self.activation(zc, act)?;
            let o = self.activation(zo, ract)?;
            let ig = self.mul(i, g)?;
            let cn = match c {
                Some(cp) => {
                    let fc = self.mul(f, cp)?;
                    self.add(fc, ig)?
                }
                None => ig,
            };
            let ac = self.activation(cn, act)?;
            let hn = self.mul(o, ac)?;
            states.push(hn);
            h = Some(hn);
            c = Some(cn);
        }
        let empty = AutogradError::Empty {
            op: "lstm_unfused",
            arg: "x's time axis",
        };
        let sequence = self.stack(&states, 1)?;
        Ok(LstmOutput {
            sequence,
            last: h.filter(|_| steps > 0).ok_or(empty.clone())?,
            last_c: c.filter(|_| steps > 0).ok_or(empty)?,
        })
    }

    /// The same computation as [`Tape::gru`] (same arguments and outputs) recorded as basic
    /// nodes, one set per timestep.
    pub fn gru_unfused(&mut self, inputs: &GruInputs, options: &GruOptions) -> Result<GruOutput> {
        let xs = self.shape(inputs.x)?;
        let steps = xs.dims().get(1).copied().unwrap_or(0);
        let u = self.shape(inputs.recurrent_kernel)?.dim(0);
        let (act, ract) = (options.activation, options.recurrent_activation);
        let (b_in, b_rec) = match inputs.bias {
            Some(b) if options.reset_after => {
                (Some(self.select(b, 0, 0)?), Some(self.select(b, 0, 1)?))
            }
            other => (other, None),
        };
        let rk_zr = self.slice(inputs.recurrent_kernel, 1, 0, 2 * u)?;
        let rk_h = self.slice(inputs.recurrent_kernel, 1, 2 * u, u)?;
        // The recurrent mask(s): all of them (reset_after), the z and r blocks' and the
        // candidate's (reset_before, where r ⊙ h' meets U_h on its own).
        let mh = inputs.recurrent_mask;
        let mh_zr = match mh {
            Some(m) if self.shape(m)?.rank() == 3 => Some(self.slice(m, 0, 0, 2)?),
            other => other,
        };
        let mh_h = self.gate_mask(mh, 2)?;
        let mut h = inputs.initial_state;
        let mut states = Vec::with_capacity(steps);
        for s in 0..steps {
            let t = if options.go_backwards {
                steps - 1 - s
            } else {
                s
            };
            let xt = self.select(inputs.x, 1, t)?;
            let mut xp = self.gate_matmul(xt, inputs.input_mask, inputs.kernel, 3)?;
            if let Some(b) = b_in {
                xp = self.add(xp, b)?;
            }
            let x_zr = self.slice(xp, 1, 0, 2 * u)?;
            let x_h = self.slice(xp, 1, 2 * u, u)?;
            let (zr_pre, hh_pre) = if options.reset_after {
                let rec = match h {
                    Some(hp) => {
                        let m = self.gate_matmul(hp, mh, inputs.recurrent_kernel, 3)?;
                        match b_rec {
                            Some(b) => Some(self.add(m, b)?),
                            None => Some(m),
                        }
                    }
                    None => b_rec,
                };
                match rec {
                    Some(rec) => {
                        // rec is [B, 3U], or the bias row [3U] when there is no state.
                        let axis = self.shape(rec)?.rank() - 1;
                        let rec_zr = self.slice(rec, axis, 0, 2 * u)?;
                        let rec_h = self.slice(rec, axis, 2 * u, u)?;
                        let zr = self.add(x_zr, rec_zr)?;
                        let r_pre = self.slice(zr, 1, u, u)?;
                        let r = self.activation(r_pre, ract)?;
                        let rh = self.mul(r, rec_h)?;
                        (zr, self.add(x_h, rh)?)
                    }
                    None => (x_zr, x_h),
                }
            } else {
                match h {
                    Some(hp) => {
                        let rec = self.gate_matmul(hp, mh_zr, rk_zr, 2)?;
                        let zr = self.add(x_zr, rec)?;
                        let r_pre = self.slice(zr, 1, u, u)?;
                        let r = self.activation(r_pre, ract)?;
                        let hm = self.masked(hp, mh_h)?;
                        let rh = self.mul(r, hm)?;
                        let p = self.matmul(rh, rk_h)?;
                        (zr, self.add(x_h, p)?)
                    }
                    None => (x_zr, x_h),
                }
            };
            let z_pre = self.slice(zr_pre, 1, 0, u)?;
            let z = self.activation(z_pre, ract)?;
            let hh = self.activation(hh_pre, act)?;
            // h = z ⊙ h_prev + (1 - z) ⊙ hh, written as hh + z ⊙ (h_prev - hh).
            let hn = match h {
                Some(hp) => {
                    let diff = self.sub(hp, hh)?;
                    let zd = self.mul(z, diff)?;
                    self.add(hh, zd)?
                }
                None => {
                    let zh = self.mul(z, hh)?;
                    self.sub(hh, zh)?
                }
            };
            states.push(hn);
            h = Some(hn);
        }
        let sequence = self.stack(&states, 1)?;
        let last = *states.last().ok_or(AutogradError::Empty {
            op: "gru_unfused",
            arg: "x's time axis",
        })?;
        Ok(GruOutput { sequence, last })
    }
}
