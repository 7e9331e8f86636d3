//! Initializers against the facts in `initializers.json`: fans, VarianceScaling limits and
//! stddevs, loose sample statistics of a (400, 500) draw, orthogonality, the deterministic
//! initializers and the layer defaults.

mod common;

use common::{flat, load, shape};
use nn::Initializer;
use nn::initializers::{
    Distribution, TRUNCATED_NORMAL_STD_CORRECTION, compute_fans, variance_scaling_scale,
};
use serde_json::Value;

fn parse_dims(key: &str) -> Vec<usize> {
    key.split('x').map(|d| d.parse().unwrap()).collect()
}

fn stats(v: &[f32]) -> (f64, f64, f32, f32) {
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
    let min = v.iter().copied().fold(f32::INFINITY, f32::min);
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (mean, var.sqrt(), min, max)
}

/// The loose checks the fixture describes: |mean| < 0.01·std, std within 1 %, min/max inside
/// the bounds.
fn check_sample(init: &Initializer, expected_std: f64, bound: f64, what: &str) {
    let v = init.initialize(&[400, 500], 7).unwrap();
    let (mean, std, min, max) = stats(&v);
    assert!(mean.abs() < 0.01 * expected_std, "{what}: mean {mean}");
    assert!(
        (std / expected_std - 1.0).abs() < 0.01,
        "{what}: std {std} vs {expected_std}"
    );
    assert!(
        (min as f64) >= -bound * (1.0 + 1e-6) && (max as f64) <= bound * (1.0 + 1e-6),
        "{what}: range [{min}, {max}] outside ±{bound}"
    );
}

#[test]
fn variance_scaling_formulas_fans_and_samples() {
    let fx = load("initializers");
    for name in [
        "glorot_uniform",
        "glorot_normal",
        "he_uniform",
        "he_normal",
        "lecun_uniform",
        "lecun_normal",
    ] {
        let case = &fx["cases"][name];
        let init = Initializer::from_name(name).unwrap();
        let class = case["class"].as_str().unwrap();
        assert_eq!(Initializer::from_name(class).unwrap(), init);
        let (scale, mode, dist) = init.variance_scaling_params().unwrap();
        let vs = &case["variance_scaling"];
        assert_eq!(scale, vs["scale"].as_f64().unwrap(), "{name}");
        assert_eq!(serde_json::to_value(mode).unwrap(), vs["mode"], "{name}");
        assert_eq!(
            serde_json::to_value(dist).unwrap(),
            vs["distribution"],
            "{name}"
        );
        for (key, f) in case["formula"].as_object().unwrap() {
            let dims = parse_dims(key);
            let (fi, fo) = compute_fans(&dims);
            assert_eq!(fi as u64, f["fan_in"].as_u64().unwrap(), "{name} {key}");
            assert_eq!(fo as u64, f["fan_out"].as_u64().unwrap(), "{name} {key}");
            let s = variance_scaling_scale(scale, mode, &dims);
            let rel = |a: f64, b: f64| ((a - b) / b).abs() < 1e-12;
            assert!(rel(s, f["scale_over_n"].as_f64().unwrap()), "{name} {key}");
            match dist {
                Distribution::Uniform => {
                    assert!(rel((3.0 * s).sqrt(), f["limit"].as_f64().unwrap()))
                }
                _ => assert!(rel(
                    s.sqrt() / TRUNCATED_NORMAL_STD_CORRECTION,
                    f["stddev_param"].as_f64().unwrap()
                )),
            }
        }
        let f = &case["formula"]["400x500"];
        let expected_std = f["expected_std"].as_f64().unwrap();
        let bound = match dist {
            Distribution::Uniform => f["limit"].as_f64().unwrap(),
            _ => 2.0 * f["stddev_param"].as_f64().unwrap(),
        };
        check_sample(&init, expected_std, bound, name);
    }
}

#[test]
fn plain_random_initializers_defaults_and_samples() {
    let fx = load("initializers");
    let c = &fx["cases"];
    let ru = Initializer::from_name("random_uniform").unwrap();
    assert_eq!(
        ru,
        Initializer::RandomUniform {
            minval: c["random_uniform"]["defaults"]["minval"].as_f64().unwrap(),
            maxval: c["random_uniform"]["defaults"]["maxval"].as_f64().unwrap(),
            seed: None
        }
    );
    check_sample(&ru, 0.1 / 12f64.sqrt(), 0.05, "random_uniform");
    let rn = Initializer::from_name("random_normal").unwrap();
    assert_eq!(
        rn,
        Initializer::RandomNormal {
            mean: 0.0,
            stddev: c["random_normal"]["defaults"]["stddev"].as_f64().unwrap(),
            seed: None
        }
    );
    check_sample(&rn, 0.05, 0.3, "random_normal");
    let tn = Initializer::from_name("truncated_normal").unwrap();
    // Truncated at ±2·0.05, so the std is 0.05·0.8796.
    check_sample(
        &tn,
        0.05 * TRUNCATED_NORMAL_STD_CORRECTION,
        0.1,
        "truncated_normal",
    );
}

fn gram(w: &[f32], rows: usize, cols: usize, tall: bool) -> Vec<f64> {
    // tall: WᵀW (cols x cols); wide: WWᵀ (rows x rows).
    let n = if tall { cols } else { rows };
    let mut g = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            g[i * n + j] = if tall {
                (0..rows)
                    .map(|k| w[k * cols + i] as f64 * w[k * cols + j] as f64)
                    .sum()
            } else {
                (0..cols)
                    .map(|k| w[i * cols + k] as f64 * w[j * cols + k] as f64)
                    .sum()
            };
        }
    }
    g
}

#[test]
fn orthogonal_matches_keras_checks() {
    let fx = load("initializers");
    let case = &fx["cases"]["orthogonal"];
    assert_eq!(
        Initializer::from_name("orthogonal").unwrap(),
        Initializer::orthogonal()
    );
    for (key, chk) in case["checks"].as_object().unwrap() {
        let dims = shape(&chk["shape"]);
        let gain = chk["gain"].as_f64().unwrap();
        let init = Initializer::Orthogonal { gain, seed: None };
        let w = init.initialize(&dims, 11).unwrap();
        let (rows, cols) = (dims[0], dims[1]);
        let tall = chk["check"].as_str().unwrap().starts_with("W^T W");
        assert_eq!(tall, rows >= cols, "{key}");
        let g = gram(&w, rows, cols, tall);
        let n = rows.min(cols);
        let mut dev: f64 = 0.0;
        for i in 0..n {
            for j in 0..n {
                let want = if i == j { gain * gain } else { 0.0 };
                dev = dev.max((g[i * n + j] - want).abs());
            }
        }
        assert!(dev < 1e-5 * gain * gain, "{key}: deviation {dev}");
    }
    // Rank < 2 is an error; rank 3 flattens the leading axes.
    assert!(Initializer::orthogonal().initialize(&[5], 0).is_err());
    let w = Initializer::orthogonal().initialize(&[2, 3, 4], 0).unwrap();
    let g = gram(&w, 6, 4, true);
    for i in 0..4 {
        assert!((g[i * 4 + i] - 1.0).abs() < 1e-5);
    }
}

#[test]
fn deterministic_initializers_are_exact() {
    let fx = load("initializers");
    let d = &fx["cases"]["deterministic"];
    let check = |init: Initializer, dims: &[usize], v: &Value| {
        assert_eq!(init.initialize(dims, 0).unwrap(), flat(v), "{init:?}");
    };
    check(Initializer::Zeros, &[4, 3], &d["zeros_4x3"]);
    check(Initializer::Ones, &[4, 3], &d["ones_4x3"]);
    check(
        Initializer::Constant { value: 0.3 },
        &[2, 2],
        &d["constant_0.3_2x2"],
    );
    check(
        Initializer::Identity { gain: 1.0 },
        &[3, 3],
        &d["identity_3x3"],
    );
    check(
        Initializer::Identity { gain: 1.0 },
        &[2, 3],
        &d["identity_2x3"],
    );
    assert!(
        Initializer::Identity { gain: 1.0 }
            .initialize(&[3], 0)
            .is_err()
    );
}

#[test]
fn layer_defaults_and_compute_fans() {
    let fx = load("initializers");
    let ld = &fx["cases"]["layer_defaults"];
    assert_eq!(
        Initializer::from_name(ld["Dense"]["kernel_initializer"].as_str().unwrap()).unwrap(),
        Initializer::glorot_uniform()
    );
    assert_eq!(
        Initializer::from_name(ld["Dense"]["bias_initializer"].as_str().unwrap()).unwrap(),
        Initializer::Zeros
    );
    for layer in ["SimpleRNN", "LSTM", "GRU"] {
        let class =
            |k: &str| Initializer::from_name(ld[layer][k]["class_name"].as_str().unwrap()).unwrap();
        assert_eq!(class("kernel_initializer"), Initializer::glorot_uniform());
        assert_eq!(class("recurrent_initializer"), Initializer::orthogonal());
        assert_eq!(class("bias_initializer"), Initializer::Zeros);
    }
    for (key, fans) in ld["compute_fans"].as_object().unwrap() {
        let (fi, fo) = compute_fans(&parse_dims(key));
        assert_eq!(vec![fi, fo], shape(fans), "{key}");
    }
    assert_eq!(compute_fans(&[]), (1, 1));
}

#[test]
fn seeding_is_deterministic_and_own_seed_wins() {
    let g = Initializer::glorot_uniform();
    assert_eq!(
        g.initialize(&[4, 32], 1).unwrap(),
        g.initialize(&[4, 32], 1).unwrap()
    );
    assert_ne!(
        g.initialize(&[4, 32], 1).unwrap(),
        g.initialize(&[4, 32], 2).unwrap()
    );
    let own = Initializer::GlorotUniform { seed: Some(5) };
    assert_eq!(
        own.initialize(&[4, 32], 1).unwrap(),
        own.initialize(&[4, 32], 2).unwrap()
    );
    assert_eq!(
        own.initialize(&[4, 32], 9).unwrap(),
        g.initialize(&[4, 32], 5).unwrap()
    );
    // Glorot limit for the tutorial's SimpleRNN kernel.
    let w = g.initialize(&[4, 32], 3).unwrap();
    assert!(w.iter().all(|x| x.abs() <= 0.408_248_3));
}

#[test]
fn names_configs_and_errors() {
    let err = Initializer::from_name("glorot").unwrap_err().to_string();
    assert!(err.contains("unknown initializer 'glorot'") && err.contains("glorot_uniform"));
    let bad = Initializer::RandomNormal {
        mean: 0.0,
        stddev: -1.0,
        seed: None,
    };
    let err = bad.initialize(&[2], 0).unwrap_err().to_string();
    assert!(err.contains("stddev=-1"), "{err}");
    for init in [
        Initializer::orthogonal(),
        Initializer::HeNormal { seed: Some(3) },
        Initializer::Constant { value: 0.5 },
        Initializer::Zeros,
    ] {
        let json = serde_json::to_string(&init).unwrap();
        assert_eq!(
            serde_json::from_str::<Initializer>(&json).unwrap(),
            init,
            "{json}"
        );
    }
    let json = r#"{"name":"glorot_uniform","seed":null}"#;
    assert_eq!(
        serde_json::from_str::<Initializer>(json).unwrap(),
        Initializer::glorot_uniform()
    );
    assert!(
        serde_json::from_str::<Initializer>(
            r#"{"name":"orthogonal","gain":1.0,"seed":null,"x":1}"#
        )
        .is_err()
    );
}
