//! A small model for testing the CLI without the network crate: least squares on the window's
//! values plus a bias (the best linear one-step predictor), saved as JSON.

#![allow(dead_code)]

use std::path::Path;

use cli::config::{FitSettings, ModelSpec};
use cli::error::CliError;
use cli::model::{Backend, History, Model};
use data::{Layout, Windows};
use nn::model::FitEvent;
use serde::{Deserialize, Serialize};

const MAGIC: &str = "recur-test-least-squares";

/// Linear least squares `y = w . x + b` on the `step` values of a window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeastSquares {
    magic: String,
    step: usize,
    layout: Layout,
    weights: Vec<f64>,
    bias: f64,
    /// The CLI's settings document, saved with the model.
    settings: Option<serde_json::Value>,
}

/// Solves `a x = b` (n x n, row-major) by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))
            .unwrap();
        for k in 0..n {
            a.swap(c * n + k, p * n + k);
        }
        b.swap(c, p);
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            for k in c..n {
                a[r * n + k] -= f * a[c * n + k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r * n + k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r * n + r];
    }
    x
}

impl LeastSquares {
    fn out(&self, row: &[f32]) -> f32 {
        (row.iter()
            .zip(&self.weights)
            .map(|(&v, w)| f64::from(v) * w)
            .sum::<f64>()
            + self.bias) as f32
    }

    fn mse_on(&self, x: &Windows, y: &[f32], range: std::ops::Range<usize>) -> f64 {
        let len = range.len().max(1) as f64;
        range
            .map(|i| {
                let d = f64::from(self.out(x.row(i).unwrap())) - f64::from(y[i]);
                d * d
            })
            .sum::<f64>()
            / len
    }
}

impl Model for LeastSquares {
    fn fit(
        &mut self,
        x: &Windows,
        y: &[f32],
        settings: &FitSettings,
        observer: &mut dyn FnMut(&FitEvent<'_>),
    ) -> Result<History, CliError> {
        let n = x.count();
        let kept = match settings.validation_split {
            Some(v) => (n as f64 * (1.0 - v)) as usize,
            None => n,
        };
        let d = self.step + 1;
        let mut ata = vec![0.0; d * d];
        let mut aty = vec![0.0; d];
        for (i, &target) in y.iter().enumerate().take(kept) {
            let mut row: Vec<f64> = x.row(i).unwrap().iter().map(|&v| f64::from(v)).collect();
            row.push(1.0);
            for r in 0..d {
                for c in 0..d {
                    ata[r * d + c] += row[r] * row[c];
                }
                aty[r] += row[r] * f64::from(target);
            }
        }
        let sol = solve(ata, aty);
        self.weights = sol[..self.step].to_vec();
        self.bias = sol[self.step];
        let steps = kept.div_ceil(settings.batch_size);
        let mut history = History {
            loss: Vec::new(),
            val_loss: settings.validation_split.map(|_| Vec::new()),
        };
        let epochs = settings.epochs;
        for epoch in 0..epochs {
            observer(&FitEvent::EpochBegin { epoch, epochs });
            let loss = self.mse_on(x, y, 0..kept);
            for step in 0..steps {
                observer(&FitEvent::BatchEnd {
                    epoch,
                    step,
                    steps,
                    loss: loss as f32,
                });
            }
            let val = history.val_loss.as_mut().map(|v| {
                let l = self.mse_on(x, y, kept..n);
                v.push(l);
                l
            });
            history.loss.push(loss);
            observer(&FitEvent::EpochEnd {
                epoch,
                epochs,
                steps,
                loss: loss as f32,
                val_loss: val.map(|v| v as f32),
            });
        }
        Ok(history)
    }

    fn evaluate(&mut self, x: &Windows, y: &[f32]) -> Result<f64, CliError> {
        Ok(self.mse_on(x, y, 0..x.count()))
    }

    fn predict(&mut self, x: &Windows) -> Result<Vec<f32>, CliError> {
        Ok(x.rows().map(|r| self.out(r)).collect())
    }

    fn summary(&self) -> String {
        format!(
            "Model: \"least_squares\"\n Total params: {}",
            self.param_count()
        )
    }

    fn param_count(&self) -> usize {
        self.step + 1
    }

    fn input(&self) -> (usize, Layout) {
        (self.step, self.layout)
    }

    fn save(&self, path: &Path, settings: &serde_json::Value) -> Result<(), CliError> {
        let mut m = self.clone();
        m.settings = Some(settings.clone());
        std::fs::write(path, serde_json::to_vec(&m).unwrap())
            .map_err(|e| CliError::Runtime(e.to_string()))
    }
}

/// Builds and loads [`LeastSquares`] models.
pub struct TestBackend;

impl Backend for TestBackend {
    fn build(&self, spec: &ModelSpec) -> Result<Box<dyn Model>, CliError> {
        Ok(Box::new(LeastSquares {
            magic: MAGIC.to_string(),
            step: spec.step,
            layout: spec.layout,
            weights: vec![0.0; spec.step],
            bias: 0.0,
            settings: None,
        }))
    }

    fn load(&self, path: &Path) -> Result<(Box<dyn Model>, Option<serde_json::Value>), CliError> {
        let bytes = std::fs::read(path).map_err(|e| CliError::Usage(e.to_string()))?;
        let m: LeastSquares = serde_json::from_slice(&bytes).map_err(|e| {
            CliError::Usage(format!(
                "--model '{}' is not a model file: {e}",
                path.display()
            ))
        })?;
        if m.magic != MAGIC {
            return Err(CliError::Usage(format!(
                "--model '{}' is not a model file",
                path.display()
            )));
        }
        let settings = m.settings.clone();
        Ok((Box::new(m), settings))
    }
}

/// Runs the CLI in-process with the test backend: (exit status, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("recur").chain(args.iter().copied());
    let code = cli::run(argv, &TestBackend, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}
