//! The optimizer's API contract: validation errors, the clip-option conflict, config parsing,
//! state export/import resuming bit-identically, and the step protocol.

use nn::optimizer::NamedSlot;
use nn::{Constraint, NnError, Optimizer, OptimizerConfig, ParamInfo, ParamTensor};

fn grads_for(step: usize, lens: &[usize]) -> Vec<Vec<f32>> {
    lens.iter()
        .enumerate()
        .map(|(p, &n)| {
            (0..n)
                .map(|i| (((step * 31 + p * 17 + i * 7) % 23) as f32 - 11.0) / 10.0)
                .collect()
        })
        .collect()
}

fn params() -> Vec<ParamTensor> {
    vec![
        ParamTensor::new(&[2, 3], vec![0.1, -0.2, 0.3, -0.4, 0.5, -0.6]).unwrap(),
        ParamTensor::new(&[3], vec![0.0, 1.0, -1.0]).unwrap(),
    ]
}

fn run(opt: &mut Optimizer, p: &mut [ParamTensor], steps: std::ops::Range<usize>) {
    for s in steps {
        let g = grads_for(s, &[6, 3]);
        let gr: Vec<&[f32]> = g.iter().map(Vec::as_slice).collect();
        opt.apply_gradients(p, &gr, &[]).unwrap();
    }
}

#[test]
fn learning_rate_is_validated() {
    for bad in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        let err = Optimizer::new(OptimizerConfig::adam().with_learning_rate(bad)).unwrap_err();
        assert!(
            matches!(&err, NnError::InvalidArgument { name, .. } if name == "learning_rate"),
            "{err}"
        );
        assert!(err.to_string().contains("learning_rate="), "{err}");
    }
    let mut opt = Optimizer::new(OptimizerConfig::rmsprop()).unwrap();
    assert_eq!(opt.learning_rate(), 0.001f32);
    assert!(opt.set_learning_rate(-1.0).is_err());
    opt.set_learning_rate(0.5).unwrap();
    assert_eq!(opt.learning_rate(), 0.5);
}

#[test]
fn at_most_one_clip_option() {
    let cfg = OptimizerConfig::sgd()
        .with_clipnorm(1.0)
        .with_clipvalue(0.5);
    let err = Optimizer::new(cfg).unwrap_err().to_string();
    assert!(
        err.contains("clipnorm=1") && err.contains("clipvalue=0.5"),
        "{err}"
    );
    let cfg = OptimizerConfig::sgd()
        .with_clipnorm(1.0)
        .with_global_clipnorm(1.0);
    assert!(Optimizer::new(cfg).is_err());
    assert!(Optimizer::new(OptimizerConfig::sgd().with_clipnorm(-1.0)).is_err());
    // 0 means off: identical to no clipping.
    let mut a = Optimizer::new(OptimizerConfig::sgd().with_clipvalue(0.0)).unwrap();
    let mut b = Optimizer::new(OptimizerConfig::sgd()).unwrap();
    let (mut pa, mut pb) = (params(), params());
    run(&mut a, &mut pa, 0..3);
    run(&mut b, &mut pb, 0..3);
    assert_eq!(pa, pb);
}

#[test]
fn hyperparameters_are_validated() {
    let mut c = OptimizerConfig::sgd();
    c.algorithm = nn::Algorithm::Sgd {
        momentum: 1.5,
        nesterov: false,
    };
    assert!(
        Optimizer::new(c)
            .unwrap_err()
            .to_string()
            .contains("momentum=1.5")
    );
    let mut c = OptimizerConfig::adamw();
    c.weight_decay = None;
    assert!(
        Optimizer::new(c)
            .unwrap_err()
            .to_string()
            .contains("weight_decay")
    );
    let mut c = OptimizerConfig::rmsprop();
    c.algorithm = nn::Algorithm::Rmsprop {
        rho: 0.9,
        momentum: 0.0,
        epsilon: -1.0,
        centered: false,
    };
    assert!(Optimizer::new(c).is_err());
}

#[test]
fn names_and_serialized_configs() {
    for n in [
        "sgd", "SGD", "rmsprop", "RMSprop", "adam", "AdamW", "adagrad", "adamax", "lion",
    ] {
        OptimizerConfig::from_name(n).unwrap();
    }
    let err = OptimizerConfig::from_name("ftrl").unwrap_err().to_string();
    assert!(
        err.contains("unknown optimizer 'ftrl'") && err.contains("rmsprop"),
        "{err}"
    );
    let cfg = OptimizerConfig::rmsprop().with_clipnorm(1.0);
    let json = serde_json::to_string(&cfg).unwrap();
    assert_eq!(serde_json::from_str::<OptimizerConfig>(&json).unwrap(), cfg);
    // Keras options recur does not support are rejected, not ignored.
    let with_ema = json.replacen('{', r#"{"use_ema":true,"#, 1);
    let err = serde_json::from_str::<OptimizerConfig>(&with_ema)
        .unwrap_err()
        .to_string();
    assert!(err.contains("use_ema"), "{err}");
    let bad_algo = json.replace(r#""centered":false"#, r#""centered":false,"foo":1"#);
    assert!(serde_json::from_str::<OptimizerConfig>(&bad_algo).is_err());
}

#[test]
fn export_import_resumes_bit_identically() {
    for cfg in [
        OptimizerConfig::rmsprop(),
        OptimizerConfig::adam(),
        OptimizerConfig::adamw(),
        OptimizerConfig::sgd().with_learning_rate(0.1),
        OptimizerConfig::adagrad(),
        OptimizerConfig::lion(),
        OptimizerConfig::nadam(),
    ] {
        let mut straight = Optimizer::new(cfg.clone()).unwrap();
        let mut ps = params();
        run(&mut straight, &mut ps, 0..5);

        let mut first = Optimizer::new(cfg.clone()).unwrap();
        let mut pr = params();
        run(&mut first, &mut pr, 0..3);
        let state = first.export_state();
        assert_eq!(state.iterations, 3);
        let json = serde_json::to_string(&state).unwrap();

        let mut resumed = Optimizer::new(cfg.clone()).unwrap();
        let infos: Vec<ParamInfo> = vec![
            ParamInfo::new("Variable_0", &[2, 3]),
            ParamInfo::new("Variable_1", &[3]),
        ];
        resumed.build(&infos).unwrap();
        resumed
            .import_state(&serde_json::from_str(&json).unwrap())
            .unwrap();
        run(&mut resumed, &mut pr, 3..5);
        assert_eq!(ps, pr, "{}", cfg.name());
        assert_eq!(resumed.iterations(), 5);
    }
}

#[test]
fn import_rejects_mismatched_states() {
    let infos = vec![
        ParamInfo::new("dense/kernel", &[2, 3]),
        ParamInfo::new("dense/bias", &[3]),
    ];
    let mut opt = Optimizer::new(OptimizerConfig::rmsprop()).unwrap();
    let mut state = opt.export_state();
    assert!(opt.import_state(&state).is_err(), "unbuilt");
    opt.build(&infos).unwrap();
    state = opt.export_state();
    assert_eq!(state.slots[0].name, "dense/kernel/velocity");
    let mut wrong = state.clone();
    wrong.slots[1].data.pop();
    assert!(
        opt.import_state(&wrong)
            .unwrap_err()
            .to_string()
            .contains("dense/bias/velocity")
    );
    let mut wrong = state.clone();
    wrong.slots[0] = NamedSlot {
        name: "other".into(),
        data: vec![0.0; 6],
    };
    assert!(opt.import_state(&wrong).is_err());
    let mut wrong = state.clone();
    wrong.slots.pop();
    assert!(opt.import_state(&wrong).is_err());
    // A different parameter list than the one built for is refused.
    let mut one = vec![ParamTensor::zeros(&[2, 3])];
    assert!(opt.apply_gradients(&mut one, &[&[0.0; 6]], &[]).is_err());
    // Duplicated names are refused at build time.
    assert!(opt.build(&[infos[0].clone(), infos[0].clone()]).is_err());
}

#[test]
fn step_protocol_is_checked_and_matches_apply_gradients() {
    let infos = vec![ParamInfo::new("k", &[2, 3]), ParamInfo::new("b", &[3])];
    let cfg = OptimizerConfig::rmsprop().with_global_clipnorm(0.5);
    let mut opt = Optimizer::new(cfg.clone()).unwrap();
    let mut p = params();
    let g = grads_for(0, &[6, 3]);
    assert!(
        opt.begin_step(g.iter().map(Vec::as_slice)).is_err(),
        "not built"
    );
    opt.build(&infos).unwrap();
    assert!(
        opt.update(0, &mut p[0].data, &g[0], None).is_err(),
        "outside a step"
    );
    assert!(opt.finish_step().is_err());
    assert!(
        opt.begin_step(g[..1].iter().map(Vec::as_slice)).is_err(),
        "one gradient short"
    );
    opt.begin_step(g.iter().map(Vec::as_slice)).unwrap();
    assert!(
        opt.update(2, &mut p[1].data, &g[1], None).is_err(),
        "bad index"
    );
    assert!(
        opt.update(1, &mut p[1].data, &g[0], None).is_err(),
        "bad length"
    );
    let nonneg = Constraint::NonNeg;
    for (i, (pi, gi)) in p.iter_mut().zip(&g).enumerate() {
        opt.update(i, &mut pi.data, gi, Some(&nonneg)).unwrap();
    }
    opt.finish_step().unwrap();
    assert!(p.iter().all(|t| t.data.iter().all(|&x| x >= 0.0)));
    // Same numbers through apply_gradients.
    let mut opt2 = Optimizer::new(cfg).unwrap();
    let mut p2 = params();
    let gr: Vec<&[f32]> = g.iter().map(Vec::as_slice).collect();
    opt2.apply_gradients(&mut p2, &gr, &[Some(nonneg.clone()), Some(nonneg)])
        .unwrap();
    assert_eq!(p, p2);
    assert_eq!(opt.variable_count(), 2 + 9);
    assert_eq!(opt.slot(0, "velocity").unwrap().len(), 6);
}

#[test]
fn rmsprop_keeps_zero_gradient_weights_unchanged() {
    // docs/keras-semantics.md, A.9: the tutorial's recurrent kernel gets exactly zero gradient;
    // epsilon inside the square root keeps the update at 0 instead of NaN.
    let mut opt = Optimizer::new(OptimizerConfig::rmsprop()).unwrap();
    let mut p = vec![ParamTensor::new(&[2], vec![0.5, -0.5]).unwrap()];
    for _ in 0..3 {
        opt.apply_gradients(&mut p, &[&[0.0, 0.0]], &[]).unwrap();
    }
    assert_eq!(p[0].data, vec![0.5, -0.5]);
}

#[test]
fn keras_rmsprop_goldens() {
    // rmsprop_test.py: lr 0.5, g [1,6,7,2], θ [1,2,3,4] -> [-0.5811, 0.4189, 1.4189, 2.4189].
    let mut opt = Optimizer::new(OptimizerConfig::rmsprop().with_learning_rate(0.5)).unwrap();
    let mut p = vec![ParamTensor::new(&[4], vec![1.0, 2.0, 3.0, 4.0]).unwrap()];
    opt.apply_gradients(&mut p, &[&[1.0, 6.0, 7.0, 2.0]], &[])
        .unwrap();
    for (x, w) in p[0].data.iter().zip([-0.5811f32, 0.4189, 1.4189, 2.4189]) {
        assert!((x - w).abs() < 1e-4, "{x} vs {w}");
    }
    // clipnorm 1 on [100, 100] gives [√2/2, √2/2]: with SGD lr 1 from 0, θ = -g_clipped.
    let cfg = OptimizerConfig::sgd()
        .with_learning_rate(1.0)
        .with_clipnorm(1.0);
    let mut opt = Optimizer::new(cfg).unwrap();
    let mut p = vec![ParamTensor::zeros(&[2])];
    opt.apply_gradients(&mut p, &[&[100.0, 100.0]], &[])
        .unwrap();
    for x in &p[0].data {
        assert!((x + std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    }
    // weight decay 0.004 at lr 1.0, three zero-gradient steps: 2.0 -> 1.9760959.
    let mut p = vec![ParamTensor::new(&[1], vec![2.0]).unwrap()];
    for _ in 0..3 {
        let cfg = OptimizerConfig::rmsprop()
            .with_learning_rate(1.0)
            .with_weight_decay(0.004);
        let mut opt = Optimizer::new(cfg).unwrap();
        opt.apply_gradients(&mut p, &[&[0.0]], &[]).unwrap();
    }
    assert!(
        (p[0].data[0] - 1.976_095_9).abs() < 1e-6,
        "{}",
        p[0].data[0]
    );
}

#[test]
fn clipvalue_keeps_nan_gradients_visible() {
    let mut opt = Optimizer::new(OptimizerConfig::sgd().with_clipvalue(0.5)).unwrap();
    let mut p = vec![ParamTensor::new(&[3], vec![0.0, 0.0, 0.0]).unwrap()];
    opt.apply_gradients(&mut p, &[&[f32::NAN, 2.0, -2.0]], &[])
        .unwrap();
    assert!(p[0].data[0].is_nan());
    assert_eq!(&p[0].data[1..], &[-0.005, 0.005]);
}
