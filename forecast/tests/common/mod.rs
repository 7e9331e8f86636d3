//! What the many-series tests share: the run's settings.

use data::{ScaleKind, SplitAt, WindowConfig};
use forecast::FitSettings;
use forecast::many::{ManyConfig, Mode};
use forecast::spec::ModelSpec;

/// The tutorial's model seeded `seed`, 3 epochs, split 0.8 within each series, standard
/// scaling in global mode; no differencing.
pub fn many_config(mode: Mode, seed: u64) -> ManyConfig {
    ManyConfig {
        mode,
        windows: WindowConfig {
            split: SplitAt::Fraction(0.8),
            scale: if mode == Mode::Global {
                ScaleKind::Standard
            } else {
                ScaleKind::None
            },
            ..WindowConfig::default()
        },
        model: ModelSpec {
            seed,
            ..ModelSpec::tutorial(4)
        },
        fit: FitSettings {
            epochs: 3,
            batch_size: 16,
            validation_split: None,
            early_stopping: None,
            verbose: 0,
        },
        columns: Default::default(),
        differencing: Default::default(),
        season: None,
        interval: None,
        features: Vec::new(),
        dialect: None,
    }
}
