//! Optimizers with Keras 3.15's exact update rules and f32 arithmetic (docs/keras-semantics.md,
//! A.5).
//!
//! # Pipeline of one step (as Keras's `apply`)
//! 1. clip the gradients (`clipnorm` per tensor, `global_clipnorm` over all, or `clipvalue`);
//! 2. decoupled weight decay `θ ← θ − θ·wd·lr`, if set;
//! 3. the algorithm's update;
//! 4. the variable's constraint, if any;
//! 5. `iterations += 1` (once per step).
//!
//! # Allocation-free stepping
//! The model builds the optimizer once from its parameter list ([`Optimizer::build`]), then each
//! step calls [`Optimizer::begin_step`] with all gradients (needed for the global norm),
//! [`Optimizer::update`] once per parameter, and [`Optimizer::finish_step`]. None of these
//! allocate. [`Optimizer::apply_gradients`] does all of it for callers holding [`ParamTensor`]s.

mod clip;
mod config;
mod rules;

pub use config::{Algorithm, OPTIMIZER_NAMES, OptimizerConfig};

use serde::{Deserialize, Serialize};

use crate::constraints::Constraint;
use crate::error::{NnError, Result, check_positive};
use crate::param::{ParamInfo, ParamTensor};
use clip::GradTransform;
use rules::{Rule, StepConsts};

/// One exported optimizer slot: `"<param name>/<slot name>"` and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedSlot {
    /// E.g. `"simple_rnn/kernel/velocity"`.
    pub name: String,
    /// One value per element of the parameter.
    pub data: Vec<f32>,
}

/// Everything needed to resume training exactly: iteration count, the current learning rate
/// and every slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizerState {
    /// Number of completed steps (Keras's `iterations`).
    pub iterations: u64,
    /// The f32 learning-rate variable.
    pub learning_rate: f32,
    /// Slots in parameter order, then slot order.
    pub slots: Vec<NamedSlot>,
    /// Optimizer-wide variables besides `iterations` and the learning rate (Nadam's
    /// `u_product`); empty for the others.
    #[serde(default)]
    pub globals: Vec<NamedSlot>,
}

/// A configured optimizer with its state.
#[derive(Debug, Clone)]
pub struct Optimizer {
    config: OptimizerConfig,
    rule: Rule,
    slot_names: Vec<&'static str>,
    learning_rate: f32,
    weight_decay: Option<f32>,
    params: Vec<ParamInfo>,
    /// `slots[param][slot]`, each of the parameter's length.
    slots: Vec<Vec<Vec<f32>>>,
    iterations: u64,
    /// Nadam's running product of the momentum schedule (1 before the first step).
    u_product: f32,
    built: bool,
    /// Set by `begin_step`, cleared by `finish_step`.
    step: Option<(StepConsts, Option<f32>)>,
}

impl Optimizer {
    /// Validates `config` and creates an unbuilt optimizer.
    pub fn new(config: OptimizerConfig) -> Result<Self> {
        config.validate()?;
        let f = |x: f64| x as f32;
        // (1 - x) is Python float arithmetic in Keras, rounded to f32 only afterwards.
        let om = |x: f64| (1.0 - x) as f32;
        let rule = match config.algorithm {
            Algorithm::Sgd { momentum, nesterov } => Rule::Sgd {
                momentum: f(momentum),
                nesterov,
            },
            Algorithm::Rmsprop {
                rho,
                momentum,
                epsilon,
                centered,
            } => Rule::Rmsprop {
                rho: f(rho),
                one_minus_rho: om(rho),
                momentum: f(momentum),
                epsilon: f(epsilon),
                centered,
            },
            Algorithm::Adam {
                beta_1,
                beta_2,
                epsilon,
                amsgrad,
            }
            | Algorithm::Adamw {
                beta_1,
                beta_2,
                epsilon,
                amsgrad,
            } => Rule::Adam {
                beta_1: f(beta_1),
                beta_2: f(beta_2),
                one_minus_b1: om(beta_1),
                one_minus_b2: om(beta_2),
                epsilon: f(epsilon),
                amsgrad,
            },
            Algorithm::Nadam {
                beta_1,
                beta_2,
                epsilon,
            } => Rule::Nadam {
                beta_1: f(beta_1),
                beta_2: f(beta_2),
                epsilon: f(epsilon),
            },
            Algorithm::Adagrad { epsilon, .. } => Rule::Adagrad {
                epsilon: f(epsilon),
            },
            Algorithm::Adamax {
                beta_1,
                beta_2,
                epsilon,
            } => Rule::Adamax {
                beta_1: f(beta_1),
                beta_2: f(beta_2),
                one_minus_b1: om(beta_1),
                epsilon: f(epsilon),
            },
            Algorithm::Adadelta { rho, epsilon } => Rule::Adadelta {
                rho: f(rho),
                one_minus_rho: om(rho),
                epsilon: f(epsilon),
            },
            Algorithm::Lion { beta_1, beta_2 } => Rule::Lion {
                beta_1: f(beta_1),
                beta_2: f(beta_2),
            },
        };
        Ok(Optimizer {
            slot_names: config.slot_names(),
            learning_rate: f(config.learning_rate),
            weight_decay: config.weight_decay.filter(|&w| w != 0.0).map(f),
            rule,
            config,
            params: Vec::new(),
            slots: Vec::new(),
            iterations: 0,
            u_product: 1.0,
            built: false,
            step: None,
        })
    }

    /// The configuration (the learning rate in it is the one it was created with).
    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// The current f32 learning rate.
    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    /// Changes the learning rate (e.g. from a schedule or callback); must be finite and > 0.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        check_positive("learning_rate", lr)?;
        self.learning_rate = lr as f32;
        Ok(())
    }

    /// Completed steps (Keras's `iterations`).
    pub fn iterations(&self) -> u64 {
        self.iterations
    }

    /// True once [`Optimizer::build`] has run.
    pub fn is_built(&self) -> bool {
        self.built
    }

    /// The parameters this optimizer was built for.
    pub fn params(&self) -> &[ParamInfo] {
        &self.params
    }

    /// Slot names per parameter, in Keras's order (e.g. `["velocity"]` for RMSprop).
    pub fn slot_names(&self) -> &[&'static str] {
        &self.slot_names
    }

    /// Allocates zeroed slots (Adagrad: `initial_accumulator_value`) for `params`, resetting
    /// the iteration count. Parameter names must be unique.
    pub fn build(&mut self, params: &[ParamInfo]) -> Result<()> {
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.name == p.name) {
                return Err(NnError::invalid(
                    "params",
                    &p.name,
                    "unique parameter names (this one appears twice)",
                ));
            }
        }
        let init = match self.config.algorithm {
            Algorithm::Adagrad {
                initial_accumulator_value,
                ..
            } => initial_accumulator_value as f32,
            _ => 0.0,
        };
        self.params = params.to_vec();
        self.slots = params
            .iter()
            .map(|p| {
                self.slot_names
                    .iter()
                    .map(|_| vec![init; p.len()])
                    .collect()
            })
            .collect();
        self.iterations = 0;
        self.u_product = 1.0;
        self.built = true;
        self.step = None;
        Ok(())
    }

    /// Number of optimizer variables as Keras counts them in `summary()`: every slot element
    /// plus 2 (the iteration counter and the learning rate).
    pub fn variable_count(&self) -> usize {
        2 + self
            .params
            .iter()
            .map(|p| p.len() * self.slot_names.len())
            .sum::<usize>()
    }

    /// The `Optimizer params` figure of `summary()`: [`Optimizer::variable_count`] values, all
    /// f32 except the int64 iteration counter (8 bytes).
    pub fn summary_size(&self) -> crate::summary::ParamSize {
        let count = self.variable_count() as u64;
        crate::summary::ParamSize {
            count,
            bytes: 4 * (count - 1) + 8,
        }
    }

    /// Starts a step. `grads` are all parameters' gradients in build order; they are read only
    /// to compute the global norm when `global_clipnorm` is on (lengths are checked).
    pub fn begin_step<'a, I>(&mut self, grads: I) -> Result<()>
    where
        I: IntoIterator<Item = &'a [f32]>,
    {
        if !self.is_built() {
            return Err(NnError::state(
                "optimizer used before `build`: call build(params) with the model's parameters",
            ));
        }
        let global = match self.config.global_clipnorm {
            Some(c) if c > 0.0 => {
                // Keras: sqrt(sum(stack([sum(g²) for g in grads]))), in f32.
                let mut total = 0.0f32;
                let mut count = 0;
                for (i, g) in grads.into_iter().enumerate() {
                    let expected = self.params.get(i).map(|p| p.len());
                    if expected != Some(g.len()) {
                        return Err(NnError::shape(
                            format!("gradient #{i} passed to begin_step"),
                            expected,
                            g.len(),
                        ));
                    }
                    total += clip::sum_of_squares(g);
                    count += 1;
                }
                if count != self.params.len() {
                    return Err(NnError::shape(
                        "number of gradients passed to begin_step",
                        self.params.len(),
                        count,
                    ));
                }
                Some(clip::global_scale(total.sqrt(), c as f32, (1.0 / c) as f32))
            }
            _ => None,
        };
        let mut u_product = self.u_product;
        if let Rule::Nadam { beta_1, .. } = self.rule {
            // Keras updates u_product once per step, before the variables' updates.
            u_product =
                u_product * beta_1 * (1.0 - 0.5 * 0.96f32.powf((self.iterations + 1) as f32));
        }
        let consts = self
            .rule
            .step_consts(self.learning_rate, self.iterations, u_product);
        self.u_product = u_product;
        self.step = Some((consts, global));
        Ok(())
    }

    /// Updates parameter `index` (build order) in place from its gradient, then applies its
    /// constraint. Call between [`Optimizer::begin_step`] and [`Optimizer::finish_step`].
    pub fn update(
        &mut self,
        index: usize,
        param: &mut [f32],
        grad: &[f32],
        constraint: Option<&Constraint>,
    ) -> Result<()> {
        let Some((consts, global)) = self.step else {
            return Err(NnError::state(
                "Optimizer::update called outside begin_step/finish_step",
            ));
        };
        let Some(info) = self.params.get(index) else {
            return Err(NnError::invalid(
                "index",
                index,
                &format!("a parameter index below {}", self.params.len()),
            ));
        };
        let len = info.len();
        if param.len() != len || grad.len() != len {
            return Err(NnError::shape(
                format!("parameter '{}' and its gradient", info.name),
                len,
                (param.len(), grad.len()),
            ));
        }
        let tr = if let Some(s) = global {
            GradTransform::Scale(s)
        } else if let Some(c) = self.config.clipnorm.filter(|&c| c > 0.0) {
            clip::clip_by_norm(grad, c as f32)
        } else if let Some(v) = self.config.clipvalue.filter(|&v| v > 0.0) {
            GradTransform::Value(v as f32)
        } else {
            GradTransform::Identity
        };
        if let Some(wd) = self.weight_decay {
            let lr = self.learning_rate;
            for x in param.iter_mut() {
                *x -= *x * wd * lr;
            }
        }
        self.rule
            .update(consts, tr, param, grad, &mut self.slots[index]);
        if let Some(c) = constraint {
            c.apply(&info.shape, param)?;
        }
        Ok(())
    }

    /// Ends the step: `iterations += 1`.
    pub fn finish_step(&mut self) -> Result<()> {
        if self.step.take().is_none() {
            return Err(NnError::state(
                "Optimizer::finish_step called without begin_step",
            ));
        }
        self.iterations += 1;
        Ok(())
    }

    /// One full step over `params` with `grads` (same order and lengths) and optional
    /// per-parameter `constraints` (empty slice = none). Builds the optimizer on first use,
    /// naming parameters `Variable_<i>` as Keras does for bare variables.
    pub fn apply_gradients(
        &mut self,
        params: &mut [ParamTensor],
        grads: &[&[f32]],
        constraints: &[Option<Constraint>],
    ) -> Result<()> {
        if grads.len() != params.len() {
            return Err(NnError::shape(
                "number of gradients",
                params.len(),
                grads.len(),
            ));
        }
        if !constraints.is_empty() && constraints.len() != params.len() {
            return Err(NnError::shape(
                "number of constraints",
                params.len(),
                constraints.len(),
            ));
        }
        if !self.is_built() {
            let infos: Vec<ParamInfo> = params
                .iter()
                .enumerate()
                .map(|(i, p)| ParamInfo::new(format!("Variable_{i}"), &p.shape))
                .collect();
            self.build(&infos)?;
        }
        if params.len() != self.params.len() {
            return Err(NnError::shape(
                "number of parameters (the optimizer was built for another list)",
                self.params.len(),
                params.len(),
            ));
        }
        self.begin_step(grads.iter().copied())?;
        for (i, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            let c = constraints.get(i).and_then(|c| c.as_ref());
            if let Err(e) = self.update(i, &mut p.data, g, c) {
                self.step = None;
                return Err(e);
            }
        }
        self.finish_step()
    }

    fn export_state_globals_names(&self) -> Vec<&'static str> {
        if matches!(self.rule, Rule::Nadam { .. }) {
            vec!["u_product"]
        } else {
            Vec::new()
        }
    }

    /// The values of slot `slot` (e.g. `"velocity"`) of parameter `index`.
    pub fn slot(&self, index: usize, slot: &str) -> Option<&[f32]> {
        let s = self.slot_names.iter().position(|n| *n == slot)?;
        self.slots.get(index).map(|v| v[s].as_slice())
    }

    /// Exports iterations, learning rate and every slot as named arrays.
    pub fn export_state(&self) -> OptimizerState {
        let mut slots = Vec::new();
        for (p, ps) in self.params.iter().zip(&self.slots) {
            for (name, data) in self.slot_names.iter().zip(ps) {
                slots.push(NamedSlot {
                    name: format!("{}/{}", p.name, name),
                    data: data.clone(),
                });
            }
        }
        let globals = if matches!(self.rule, Rule::Nadam { .. }) {
            vec![NamedSlot {
                name: "u_product".to_string(),
                data: vec![self.u_product],
            }]
        } else {
            Vec::new()
        };
        OptimizerState {
            iterations: self.iterations,
            learning_rate: self.learning_rate,
            slots,
            globals,
        }
    }

    /// Restores a state exported by [`Optimizer::export_state`] from an optimizer with the same
    /// configuration, built for the same parameters. Every name and length is checked before
    /// anything is changed.
    pub fn import_state(&mut self, state: &OptimizerState) -> Result<()> {
        if !self.is_built() {
            return Err(NnError::state(
                "import_state needs a built optimizer: call build(params) first",
            ));
        }
        check_positive("learning_rate", state.learning_rate as f64)?;
        let expected = self.params.len() * self.slot_names.len();
        if state.slots.len() != expected {
            return Err(NnError::shape(
                format!("optimizer state of '{}'", self.config.name()),
                format!("{expected} slots"),
                format!("{} slots", state.slots.len()),
            ));
        }
        let mut k = 0;
        for p in &self.params {
            for name in &self.slot_names {
                let want = format!("{}/{}", p.name, name);
                let got = &state.slots[k];
                if got.name != want {
                    return Err(NnError::shape("optimizer slot name", &want, &got.name));
                }
                if got.data.len() != p.len() {
                    return Err(NnError::shape(
                        format!("optimizer slot '{want}'"),
                        p.len(),
                        got.data.len(),
                    ));
                }
                k += 1;
            }
        }
        let want_globals = self.export_state_globals_names();
        let got_globals: Vec<&str> = state.globals.iter().map(|g| g.name.as_str()).collect();
        if got_globals != want_globals || state.globals.iter().any(|g| g.data.len() != 1) {
            return Err(NnError::shape(
                "optimizer-wide variables",
                want_globals,
                got_globals,
            ));
        }
        if let Some(u) = state.globals.first() {
            self.u_product = u.data[0];
        }
        let mut it = state.slots.iter();
        for ps in &mut self.slots {
            for s in ps.iter_mut() {
                s.copy_from_slice(&it.next().expect("length checked").data);
            }
        }
        self.iterations = state.iterations;
        self.learning_rate = state.learning_rate;
        self.step = None;
        Ok(())
    }
}
