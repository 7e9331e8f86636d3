//! The per-variable update rules, written element by element in the exact f32 operation order
//! of Keras 3.15's `update_step`s (`keras/src/optimizers/*.py`), so results match bit for bit.
//!
//! Notation: `lr` is the f32 learning-rate variable; constants named `one_minus_*` were
//! computed in f64 (Python) and rounded once to f32.

use super::clip::GradTransform;

/// Per-step constants shared by all variables of one step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepConsts {
    /// Learning rate as f32.
    pub lr: f32,
    /// Adam: `lr·sqrt(1−β₂ᵗ)/(1−β₁ᵗ)`; Adamax: `1−β₁ᵗ`; Nadam: `1−β₂ᵗ`. Unused otherwise.
    pub alpha: f32,
    /// Nadam only: `u_t`, `u_{t+1}`, `1 − Π u` up to t and `1 − Π u` up to t+1.
    pub nadam: [f32; 4],
}

/// Nadam's momentum schedule `u_t = β₁·(1 − 0.5·0.96ᵗ)` in f32.
pub(crate) fn nadam_u(beta_1: f32, t: f32) -> f32 {
    beta_1 * (1.0 - 0.5 * 0.96f32.powf(t))
}

/// f32 constants derived once from the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rule {
    Sgd {
        momentum: f32,
        nesterov: bool,
    },
    Rmsprop {
        rho: f32,
        one_minus_rho: f32,
        momentum: f32,
        epsilon: f32,
        centered: bool,
    },
    Adam {
        beta_1: f32,
        beta_2: f32,
        one_minus_b1: f32,
        one_minus_b2: f32,
        epsilon: f32,
        amsgrad: bool,
    },
    Nadam {
        beta_1: f32,
        beta_2: f32,
        epsilon: f32,
    },
    Adagrad {
        epsilon: f32,
    },
    Adamax {
        beta_1: f32,
        beta_2: f32,
        one_minus_b1: f32,
        epsilon: f32,
    },
    Adadelta {
        rho: f32,
        one_minus_rho: f32,
        epsilon: f32,
    },
    Lion {
        beta_1: f32,
        beta_2: f32,
    },
}

impl Rule {
    /// Constants for step `t = iterations + 1`; `u_product` is Nadam's running product of
    /// `u`, already including this step's factor.
    pub(crate) fn step_consts(&self, lr: f32, iterations: u64, u_product: f32) -> StepConsts {
        let t = (iterations + 1) as f32;
        let mut nadam = [0.0; 4];
        if let Rule::Nadam { beta_1, .. } = *self {
            let u_t = nadam_u(beta_1, t);
            let u_t1 = nadam_u(beta_1, (iterations + 2) as f32);
            nadam = [u_t, u_t1, 1.0 - u_product, 1.0 - u_product * u_t1];
        }
        let alpha = match *self {
            Rule::Adam { beta_1, beta_2, .. } => {
                let b1p = beta_1.powf(t);
                let b2p = beta_2.powf(t);
                lr * (1.0 - b2p).sqrt() / (1.0 - b1p)
            }
            Rule::Adamax { beta_1, .. } => 1.0 - beta_1.powf(t),
            Rule::Nadam { beta_2, .. } => 1.0 - beta_2.powf(t),
            _ => 0.0,
        };
        StepConsts { lr, alpha, nadam }
    }

    /// Updates one variable `w` from its gradient `grad` (transformed element-wise by `tr`)
    /// and its slots (in `OptimizerConfig::slot_names` order).
    pub(crate) fn update(
        &self,
        k: StepConsts,
        tr: GradTransform,
        w: &mut [f32],
        grad: &[f32],
        slots: &mut [Vec<f32>],
    ) {
        if let (
            GradTransform::Identity,
            Rule::Rmsprop {
                rho,
                one_minus_rho,
                momentum,
                epsilon,
                centered: false,
            },
            [velocity],
        ) = (tr, self, &mut *slots)
            && *momentum == 0.0
        {
            // Keras's default RMSprop, the tutorial's hot loop: sqrt and division dominate, so
            // it runs on the widest vectors the CPU has (same bits as the loop below).
            let step = kernels::vecmath::RmspropStep {
                lr: k.lr,
                rho: *rho,
                one_minus_rho: *one_minus_rho,
                epsilon: *epsilon,
            };
            kernels::vecmath::rmsprop_update(step, w, grad, velocity);
            return;
        }
        // One monomorphized loop per transform, so the element loops carry no dispatch.
        match tr {
            GradTransform::Identity => self.update_with(k, |g| g, w, grad, slots),
            GradTransform::Norm { c, denom } => {
                self.update_with(k, move |g| (g * c) / denom, w, grad, slots)
            }
            GradTransform::Scale(s) => self.update_with(k, move |g| g * s, w, grad, slots),
            GradTransform::Value(v) => {
                self.update_with(k, move |g: f32| g.clamp(-v, v), w, grad, slots)
            }
        }
    }

    fn update_with<T: Fn(f32) -> f32 + Copy>(
        &self,
        k: StepConsts,
        tr: T,
        w: &mut [f32],
        grad: &[f32],
        slots: &mut [Vec<f32>],
    ) {
        let lr = k.lr;
        match *self {
            Rule::Sgd { momentum, nesterov } => {
                if let [m] = slots {
                    for ((x, &g), m) in w.iter_mut().zip(grad).zip(m.iter_mut()) {
                        let g = tr(g);
                        *m = *m * momentum - g * lr;
                        if nesterov {
                            *x += *m * momentum - g * lr;
                        } else {
                            *x += *m;
                        }
                    }
                } else {
                    for (x, &g) in w.iter_mut().zip(grad) {
                        *x -= tr(g) * lr;
                    }
                }
            }
            Rule::Rmsprop {
                rho,
                one_minus_rho,
                momentum,
                epsilon,
                centered,
            } => {
                let (velocity, rest) = slots.split_first_mut().expect("velocity slot");
                if momentum == 0.0 && !centered {
                    // Keras's default: the tutorial's hot loop, kept free of branches.
                    for ((x, &g), v) in w.iter_mut().zip(grad).zip(velocity.iter_mut()) {
                        let g = tr(g);
                        *v = rho * *v + one_minus_rho * (g * g);
                        *x -= (lr * g) / (*v + epsilon).sqrt();
                    }
                    return;
                }
                let (mut mom, mut avg): (Option<&mut Vec<f32>>, Option<&mut Vec<f32>>) =
                    (None, None);
                let mut rest = rest.iter_mut();
                if momentum > 0.0 {
                    mom = rest.next();
                }
                if centered {
                    avg = rest.next();
                }
                for i in 0..w.len() {
                    let g = tr(grad[i]);
                    let v = rho * velocity[i] + one_minus_rho * (g * g);
                    velocity[i] = v;
                    let den = if let Some(a) = avg.as_deref_mut() {
                        let ab = rho * a[i] + one_minus_rho * g;
                        a[i] = ab;
                        v - ab * ab + epsilon
                    } else {
                        v + epsilon
                    };
                    let increment = (lr * g) / den.sqrt();
                    if let Some(m) = mom.as_deref_mut() {
                        m[i] = momentum * m[i] + increment;
                        w[i] -= m[i];
                    } else {
                        w[i] -= increment;
                    }
                }
            }
            Rule::Adam {
                one_minus_b1,
                one_minus_b2,
                epsilon,
                amsgrad,
                ..
            } => {
                let alpha = k.alpha;
                let [m, v, rest @ ..] = slots else {
                    unreachable!("adam has momentum and velocity slots")
                };
                if !amsgrad {
                    for (((x, &g), m), v) in
                        w.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut())
                    {
                        let g = tr(g);
                        *m += (g - *m) * one_minus_b1;
                        *v += (g * g - *v) * one_minus_b2;
                        *x -= (*m * alpha) / (v.sqrt() + epsilon);
                    }
                    return;
                }
                let mut vhat = rest.first_mut();
                for i in 0..w.len() {
                    let g = tr(grad[i]);
                    m[i] += (g - m[i]) * one_minus_b1;
                    v[i] += (g * g - v[i]) * one_minus_b2;
                    let vv = if let Some(vh) = vhat.as_deref_mut() {
                        vh[i] = vh[i].max(v[i]);
                        vh[i]
                    } else {
                        v[i]
                    };
                    w[i] -= (m[i] * alpha) / (vv.sqrt() + epsilon);
                }
            }
            Rule::Nadam {
                beta_1,
                beta_2,
                epsilon,
            } => {
                let [m, v] = slots else {
                    unreachable!("nadam has momentum and velocity slots")
                };
                let one_minus_b2p = k.alpha;
                let [u_t, u_t1, one_minus_prod, one_minus_prod1] = k.nadam;
                // Keras's Nadam computes (1 - beta) on f32 tensors, unlike Adam.
                let (c1, c2) = (1.0 - beta_1, 1.0 - beta_2);
                let one_minus_u_t = 1.0 - u_t;
                for i in 0..w.len() {
                    let g = tr(grad[i]);
                    m[i] += (g - m[i]) * c1;
                    v[i] += (g * g - v[i]) * c2;
                    let m_hat =
                        (u_t1 * m[i]) / one_minus_prod1 + (one_minus_u_t * g) / one_minus_prod;
                    let v_hat = v[i] / one_minus_b2p;
                    w[i] -= (m_hat * lr) / (v_hat.sqrt() + epsilon);
                }
            }
            Rule::Adagrad { epsilon } => {
                let [acc] = slots else {
                    unreachable!("adagrad has one accumulator slot")
                };
                for i in 0..w.len() {
                    let g = tr(grad[i]);
                    acc[i] += g * g;
                    w[i] -= (lr * g) / (acc[i] + epsilon).sqrt();
                }
            }
            Rule::Adamax {
                beta_2,
                one_minus_b1,
                epsilon,
                ..
            } => {
                let one_minus_b1p = k.alpha;
                let [m, u] = slots else {
                    unreachable!("adamax has momentum and norm slots")
                };
                for i in 0..w.len() {
                    let g = tr(grad[i]);
                    m[i] += (g - m[i]) * one_minus_b1;
                    u[i] = (beta_2 * u[i]).max(g.abs());
                    w[i] -= (lr * m[i]) / (one_minus_b1p * (u[i] + epsilon));
                }
            }
            Rule::Adadelta {
                rho,
                one_minus_rho,
                epsilon,
            } => {
                let [acc_g, acc_d] = slots else {
                    unreachable!("adadelta has two slots")
                };
                for i in 0..w.len() {
                    let g = tr(grad[i]);
                    acc_g[i] = rho * acc_g[i] + one_minus_rho * (g * g);
                    let delta = -(((acc_d[i] + epsilon).sqrt() * g) / (acc_g[i] + epsilon).sqrt());
                    acc_d[i] = rho * acc_d[i] + one_minus_rho * (delta * delta);
                    w[i] += lr * delta;
                }
            }
            Rule::Lion { beta_1, beta_2 } => {
                let [m] = slots else {
                    unreachable!("lion has one momentum slot")
                };
                // Keras computes (1 - beta) on f32 tensors here, not on Python floats.
                let (c1, c2) = (1.0 - beta_1, 1.0 - beta_2);
                for i in 0..w.len() {
                    let g = tr(grad[i]);
                    w[i] -= lr * sign(m[i] * beta_1 + g * c1);
                    m[i] = m[i] * beta_2 + g * c2;
                }
            }
        }
    }
}

/// TF `sign`: 0 at 0, NaN kept.
fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x * 0.0
    }
}
