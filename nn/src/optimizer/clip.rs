//! Gradient clipping exactly as Keras's `_clip_gradients` computes it in f32.

/// How one variable's gradient is transformed before its update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum GradTransform {
    /// Use the gradient as is.
    Identity,
    /// `clipnorm`: `g·c / max(‖g‖, c)` (TF `clip_by_norm`), with `denom = max(‖g‖, c)`.
    Norm { c: f32, denom: f32 },
    /// `global_clipnorm`: `g · scale`.
    Scale(f32),
    /// `clipvalue`: `min(max(g, -v), v)`.
    Value(f32),
}

impl GradTransform {
    /// Applies the transform to one gradient element.
    #[inline(always)]
    pub(crate) fn apply(self, g: f32) -> f32 {
        match self {
            GradTransform::Identity => g,
            GradTransform::Norm { c, denom } => (g * c) / denom,
            GradTransform::Scale(s) => g * s,
            GradTransform::Value(v) => g.max(-v).min(v),
        }
    }
}

/// `Σ g²` accumulated in order, in f32.
pub(crate) fn sum_of_squares(g: &[f32]) -> f32 {
    g.iter().fold(0.0f32, |s, &x| s + x * x)
}

/// TF `clip_by_norm` for one tensor: the norm is `sqrt(Σg²)` when positive, else `Σg²` itself
/// (0, or NaN passed through), and the divisor is `max(norm, c)`.
pub(crate) fn clip_by_norm(g: &[f32], c: f32) -> GradTransform {
    let l2sum = sum_of_squares(g);
    let l2norm = if l2sum > 0.0 { l2sum.sqrt() } else { l2sum };
    GradTransform::Norm {
        c,
        denom: l2norm.max(c),
    }
}

/// Keras `clip_by_global_norm` scale: `c · min(1/‖G‖, 1/c) + (‖G‖ − ‖G‖)`, which is NaN when
/// the global norm is NaN or infinite. `inv_c` is `1/c` computed in f64 then rounded, as
/// Python computes `1.0 / clip_norm`.
pub(crate) fn global_scale(global_norm: f32, c: f32, inv_c: f32) -> f32 {
    // Keras adds `(norm - norm)`, which is +0 for a finite norm and NaN otherwise.
    if global_norm.is_finite() {
        c * (1.0 / global_norm).min(inv_c) + 0.0
    } else {
        f32::NAN
    }
}
