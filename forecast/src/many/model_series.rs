//! What the model of one series sees: the series itself, or its differences with the split
//! moved to stay on the same series value.

use data::{Differencing, WindowConfig};

/// The values the model learns (the differences, with differencing) and the window settings
/// for them ([`data::Differencing::model_values`], the order of a one-series run: time axis
/// and missing values first, then differences, then split and scaling). The error is the
/// reason the series is skipped.
pub(crate) fn model_series(
    values: &[f64],
    differencing: Differencing,
    windows: &WindowConfig,
) -> Result<(Vec<f64>, WindowConfig), String> {
    differencing
        .model_values(values, windows)
        .map_err(|e| e.to_string())
}

/// The series position `T` of the split of a prepared model series (`ds.split` counts model
/// values, which start `lost` values into the series).
pub(crate) fn series_split(ds: &data::Dataset, differencing: Differencing) -> usize {
    ds.split + differencing.lost()
}

#[cfg(test)]
mod tests {
    use super::*;
    use data::SplitAt;

    #[test]
    fn the_split_stays_on_the_same_value() {
        let x: Vec<f64> = (0..10).map(|t| f64::from(t * t)).collect();
        let w = WindowConfig {
            split: SplitAt::Fraction(0.8),
            ..WindowConfig::default()
        };
        let d = Differencing {
            order: 1,
            seasonal: None,
        };
        let (m, mw) = model_series(&x, d, &w).unwrap();
        assert_eq!(m, [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0]);
        // T = 8 on the series is model value 7 (series position 8).
        assert_eq!(mw.split, SplitAt::Index(7));
        let (same, sw) = model_series(&x, Differencing::default(), &w).unwrap();
        assert_eq!((same, sw), (x.clone(), w));
        let short = WindowConfig {
            split: SplitAt::Index(2),
            ..w
        };
        let seasonal = Differencing {
            order: 0,
            seasonal: Some(3),
        };
        let e = model_series(&x, seasonal, &short).unwrap_err();
        assert!(e.contains("T = 2") && e.contains("3 value(s)"), "{e}");
    }
}
