//! The data flags a many-series model answers for itself: its windows, scaling and
//! differencing are the training run's, and it never generates the tutorial's sine. `forecast`
//! and `backtest` on such a model refuse them by name rather than ignore them.

use crate::args::DataArgs;

/// Each flag a many-series model's own settings replace, with whether `d` gives it, in the
/// order `--help` lists them.
pub(crate) fn model_owned_flags(d: &DataArgs) -> [(&'static str, bool); 13] {
    let s = &d.series;
    [
        ("--split", d.split.is_some()),
        ("--step", s.step.is_some()),
        ("--scale", s.scale.is_some()),
        ("--layout", s.layout.is_some()),
        ("--no-pad", s.no_pad),
        ("--diff", s.diff.is_some()),
        ("--seasonal-diff", s.seasonal_diff.is_some()),
        ("--data-seed", d.data_seed.is_some()),
        ("--n", d.sine.n.is_some()),
        ("--freq", d.sine.freq.is_some()),
        ("--amplitude", d.sine.amplitude.is_some()),
        ("--noise", d.sine.noise.is_some()),
        ("--noise-amplitude", d.sine.noise_amplitude.is_some()),
    ]
}

/// The first flag of `flags` that is given, by name.
pub(crate) fn first_given(
    flags: impl IntoIterator<Item = (&'static str, bool)>,
) -> Option<&'static str> {
    flags
        .into_iter()
        .find_map(|(name, given)| given.then_some(name))
}
