//! The plot of a many-series run, from its results: the best, median and worst series by
//! skill, and the histogram of every series' skill (drawn by [`crate::many_plot`]).

use std::path::PathBuf;

use forecast::many::{ColumnNames, ManyRun, Part};

use crate::error::CliError;
use crate::many_config::ManyTrainConfig;
use crate::many_csv::SeriesLookup;
use crate::many_plot::{ManyPanel, ManyPlot, many_plot, pick_panels};
use crate::output::Staging;
use forecast::series::SeriesTime;

/// Draws the run's plot into the staged set as `plot.<format>`; `lookup` finds a series'
/// input and split by id. Returns the final path.
pub fn write_plot(
    out: &mut Staging,
    cfg: &ManyTrainConfig,
    run: &ManyRun,
    columns: &ColumnNames,
    lookup: SeriesLookup<'_>,
) -> Result<PathBuf, CliError> {
    let skills: Vec<Option<f64>> = run.metrics.iter().map(|m| m.skill).collect();
    let picked = pick_panels(&skills);
    let mut parts = Vec::with_capacity(picked.len());
    for &(i, rank) in &picked {
        let m = &run.metrics[i];
        let p = &run.predictions[i];
        let (input, split) = lookup.get(&m.id).ok_or_else(|| {
            CliError::Runtime(format!("the plot's series '{}' is not in the input", m.id))
        })?;
        let (train, test): (Vec<&(usize, f64, Part)>, Vec<_>) =
            p.placed.iter().partition(|x| x.2 == Part::Train);
        let time = match (&input.axis, &columns.time) {
            (Some(axis), Some(name)) => Some(SeriesTime {
                name: name.clone(),
                axis: axis.clone(),
            }),
            _ => None,
        };
        parts.push((
            i,
            rank,
            input,
            split,
            train.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            test.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            time,
        ));
    }
    let panels = parts
        .iter()
        .map(|(i, rank, input, split, train, test, time)| ManyPanel {
            id: &run.metrics[*i].id,
            rank,
            values: &input.values,
            train,
            test,
            split: *split,
            skill: run.metrics[*i].skill,
            test_mse: run.metrics[*i].test_mse_observed,
            time: time.as_ref(),
        })
        .collect();
    let all_skills: Vec<f64> = skills.iter().flatten().copied().collect();
    let d = cfg.run.differencing;
    let title = format!(
        "recur: {} series, {} mode{} ({} skipped) - mean observed test mse {:.4}",
        run.metrics.len(),
        run.mode.name(),
        if d.is_none() {
            String::new()
        } else {
            format!(", {}", d.describe())
        },
        run.skipped.len(),
        run.mean_of(|m| m.test_mse_observed)
    );
    let plot = ManyPlot {
        title,
        panels,
        skills: &all_skills,
        value_name: &columns.value,
    };
    let name = format!("plot.{}", cfg.output.plot_format.extension());
    out.write_with(&name, |tmp| many_plot(tmp, cfg.output.plot_format, &plot))
}
