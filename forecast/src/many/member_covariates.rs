//! What a member keeps of its covariates, checked when it is read: the same names for every
//! series, one scaler and one tail per covariate, and a model as wide as they say.

use super::bundle::{MEMBER_COVARIATES_FORMAT, MemberSettings};

/// Names as a comma list, `none` for none.
pub(crate) fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// A member's covariates must be what its format and model say: with
/// [`MEMBER_COVARIATES_FORMAT`], every series keeps the same names, one scaler and one tail as
/// long as its own per covariate, and the model takes `1 + F` values per time step; with
/// [`MEMBER_FORMAT`](super::MEMBER_FORMAT), none. The error says what is wrong.
pub(crate) fn check_covariates(settings: &MemberSettings) -> Result<(), String> {
    let with = settings.format == MEMBER_COVARIATES_FORMAT;
    let names = settings
        .series
        .first()
        .and_then(|s| s.covariates.as_ref())
        .map(|c| c.names.clone())
        .unwrap_or_default();
    if with == names.is_empty() {
        return Err(format!(
            "settings of format '{}' with {} covariate(s)",
            settings.format,
            names.len()
        ));
    }
    if settings.model.features != 1 + names.len() {
        return Err(format!(
            "a model of {} value(s) per time step for the target and {} covariate(s)",
            settings.model.features,
            names.len()
        ));
    }
    for s in &settings.series {
        let ok = match &s.covariates {
            None => names.is_empty(),
            Some(c) => {
                c.names == names
                    && c.scalers.len() == names.len()
                    && c.tails.iter().all(|t| t.len() == s.tail.len())
                    && c.tails.len() == names.len()
            }
        };
        if !ok {
            return Err(format!(
                "series '{}' keeps covariates other than the member's {} (one scaler and one \
                 tail as long as the series' per covariate)",
                s.id,
                names.len()
            ));
        }
    }
    Ok(())
}
