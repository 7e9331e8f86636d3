//! Parsing flag text into numbers, with messages naming the flag and the value.

use crate::error::CliError;

/// A whole number `>= min` given to `flag`.
pub fn count(flag: &str, text: &str, min: usize) -> Result<usize, CliError> {
    match text.trim().parse::<usize>() {
        Ok(v) if v >= min => Ok(v),
        _ => Err(CliError::flag(
            flag,
            text,
            &format!("a whole number >= {min}"),
        )),
    }
}

/// A seed: a whole number in `0..=u64::MAX`.
pub fn seed(flag: &str, text: &str) -> Result<u64, CliError> {
    text.trim().parse::<u64>().map_err(|_| {
        CliError::flag(
            flag,
            text,
            "a whole number between 0 and 18446744073709551615",
        )
    })
}

/// A finite number given to `flag`.
pub fn finite(flag: &str, text: &str) -> Result<f64, CliError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(CliError::flag(flag, text, "a finite number")),
    }
}

/// A finite number strictly above 0.
pub fn positive(flag: &str, text: &str) -> Result<f64, CliError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(CliError::flag(flag, text, "a finite number > 0")),
    }
}

/// A dropout rate in `[0, 1]` given to `flag`.
pub fn rate(flag: &str, text: &str) -> Result<f32, CliError> {
    match text.trim().parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(CliError::flag(
            flag,
            text,
            "a rate in [0, 1] (Keras silently clamps out-of-range rates; recur rejects them)",
        )),
    }
}

/// The `--dense` list: `none`, or comma-separated sizes `>= 1`.
pub fn dense(text: &str) -> Result<Vec<usize>, CliError> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|p| match p.trim().parse::<usize>() {
            Ok(v) if v >= 1 => Ok(v),
            _ => Err(CliError::flag(
                "--dense",
                text,
                "hidden layer sizes >= 1 as a comma list (such as 8 or 16,8), or none",
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked_with_the_flag_and_value_in_the_message() {
        assert_eq!(count("--epochs", "50", 1).unwrap(), 50);
        let e = count("--epochs", "-3", 1).unwrap_err().one_line();
        assert!(e.contains("--epochs") && e.contains("'-3'"), "{e}");
        assert!(count("--epochs", "0", 1).is_err());
        assert!(positive("--learning-rate", "nan").is_err());
        assert!(positive("--learning-rate", "0").is_err());
        assert!(positive("--learning-rate", "-0.1").is_err());
        assert_eq!(positive("--lr", "1e-3").unwrap(), 1e-3);
        assert!(finite("--freq", "inf").is_err());
        assert!(seed("--seed", "-1").is_err());
    }

    #[test]
    fn dense_lists() {
        assert_eq!(dense("8").unwrap(), vec![8]);
        assert_eq!(dense("16, 8").unwrap(), vec![16, 8]);
        assert!(dense("none").unwrap().is_empty());
        assert!(dense("8,0").is_err());
        assert!(dense("").is_err());
    }
}
