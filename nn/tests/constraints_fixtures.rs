//! Constraints against the matrix cases of `constraints.json` (`bites` / `no_bite`, with the
//! bitwise-unchanged flag), plus the optimizer pipeline of `dense_maxnorm0.3_sgd0.5` on the
//! update alone (the gradients come from the fixture; the Dense forward pass lives with the
//! layers).

mod common;

use common::{assert_close, flat, load, max_ulps, shape};
use nn::{Axis, Constraint, Optimizer, OptimizerConfig, ParamTensor};
use serde_json::Value;

fn from_case(kind: &str, args: &Value) -> Constraint {
    let a = |k: &str| args[k].as_f64().unwrap();
    let axis = || Axis::One(args["axis"].as_i64().unwrap());
    match kind {
        "MaxNorm" => Constraint::MaxNorm {
            max_value: a("max_value"),
            axis: axis(),
        },
        "NonNeg" => Constraint::NonNeg,
        "UnitNorm" => Constraint::UnitNorm { axis: axis() },
        "MinMaxNorm" => Constraint::MinMaxNorm {
            min_value: a("min_value"),
            max_value: a("max_value"),
            rate: a("rate"),
            axis: axis(),
        },
        other => panic!("unexpected constraint {other}"),
    }
}

#[test]
fn matrix_cases_match_keras() {
    let fx = load("constraints");
    let mut checked = 0;
    let mut worst = 0;
    for (name, case) in fx["cases"].as_object().unwrap() {
        let Some(kind) = case["constraint"].as_str() else {
            continue;
        };
        let c = from_case(kind, &case["args"]);
        c.validate().unwrap();
        for part in ["bites", "no_bite"] {
            let p = &case[part];
            let mut w = flat(&p["w"]);
            let orig = w.clone();
            c.apply(&shape(&p["w_shape"]), &mut w).unwrap();
            let want = flat(&p["output"]);
            assert_close(&w, &want, 1e-5, 1e-6, &format!("{name}/{part}"));
            worst = worst.max(max_ulps(&w, &want));
            let unchanged = w.iter().zip(&orig).all(|(a, b)| a.to_bits() == b.to_bits());
            assert_eq!(
                unchanged,
                p["output_equals_input_bitwise"].as_bool().unwrap(),
                "{name}/{part}: bitwise-unchanged flag"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
    // Same f32 operation order as Keras: bit-identical.
    assert_eq!(worst, 0, "constraints: worst {worst} ulp");
}

#[test]
fn maxnorm_applied_by_the_optimizer_after_each_sgd_step() {
    let fx = load("constraints");
    let case = &fx["cases"]["dense_maxnorm0.3_sgd0.5"];
    let steps = case["steps"].as_array().unwrap();
    let init = case["initial_weights"].as_array().unwrap();
    let mut params: Vec<ParamTensor> = init
        .iter()
        .map(|w| ParamTensor::new(&shape(&w["shape"]), flat(&w["value"])).unwrap())
        .collect();
    let constraints = [
        Some(Constraint::MaxNorm {
            max_value: 0.3,
            axis: Axis::One(0),
        }),
        None,
    ];
    let mut opt = Optimizer::new(OptimizerConfig::sgd().with_learning_rate(0.5)).unwrap();
    for (i, step) in steps.iter().enumerate() {
        let grads: Vec<Vec<f32>> = step["grad_before"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| flat(&g["value"]))
            .collect();
        let gr: Vec<&[f32]> = grads.iter().map(Vec::as_slice).collect();
        opt.apply_gradients(&mut params, &gr, &constraints).unwrap();
        for (p, want) in params
            .iter()
            .zip(step["weights_after_step"].as_array().unwrap())
        {
            let want = flat(&want["value"]);
            assert_close(&p.data, &want, 1e-5, 1e-6, &format!("step {i}"));
            assert_eq!(max_ulps(&p.data, &want), 0, "step {i}: bits");
        }
    }
}

#[test]
fn axes_names_validation_and_serde() {
    // axis = 1 on (2, 2): row norms; axis [0, 1]: one norm for the whole matrix.
    let mut w = vec![3.0f32, 4.0, 0.0, 1.0];
    Constraint::UnitNorm { axis: Axis::One(1) }
        .apply(&[2, 2], &mut w)
        .unwrap();
    assert_close(&w, &[0.6, 0.8, 0.0, 1.0], 1e-6, 1e-6, "unit_norm axis 1");
    let mut w = vec![3.0f32, 4.0, 0.0, 0.0];
    Constraint::UnitNorm {
        axis: Axis::Many(vec![0, -1]),
    }
    .apply(&[2, 2], &mut w)
    .unwrap();
    assert_close(&w, &[0.6, 0.8, 0.0, 0.0], 1e-6, 1e-6, "unit_norm all axes");
    let err = Constraint::UnitNorm { axis: Axis::One(2) }
        .apply(&[2, 2], &mut [0.0; 4])
        .unwrap_err()
        .to_string();
    assert!(err.contains("axis=2"), "{err}");
    assert!(Constraint::NonNeg.apply(&[3], &mut [0.0; 2]).is_err());
    assert_eq!(
        Constraint::from_name("max_norm").unwrap(),
        Constraint::MaxNorm {
            max_value: 2.0,
            axis: Axis::One(0)
        }
    );
    assert!(Constraint::from_name("maxnorm").is_err());
    let bad = Constraint::MinMaxNorm {
        min_value: 1.0,
        max_value: 0.5,
        rate: 1.0,
        axis: Axis::One(0),
    };
    assert!(
        bad.validate()
            .unwrap_err()
            .to_string()
            .contains("max_value=0.5")
    );
    let c = Constraint::MinMaxNorm {
        min_value: 0.5,
        max_value: 1.0,
        rate: 0.5,
        axis: Axis::Many(vec![0, 1]),
    };
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(serde_json::from_str::<Constraint>(&json).unwrap(), c);
    let json = r#"{"name":"max_norm","max_value":2.0,"axis":0}"#;
    assert_eq!(
        serde_json::from_str::<Constraint>(json).unwrap(),
        Constraint::from_name("MaxNorm").unwrap()
    );
}
