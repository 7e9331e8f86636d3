//! GEMM under forced cache descriptions: the blocks the model predicts, correct products,
//! bit-identical results for every thread count, and a bad `RECUR_CACHES` as an error.

mod common;

use common::{Layout, Strided, check, filler, reference};
use kernels::cache::{CACHES_ENV, CacheDescription, CacheLevel, Vendor};
use kernels::{
    Algorithm, GemmOptions, GemmTuning, KernelError, KernelPath, blocking_for, gemm, gemm_tuned,
};

/// A description of an AMD part from sizes in KiB (64-byte lines; 8-way L1d and L2, 16-way L3).
fn caches(l1: usize, l2: usize, l3: usize, l3_shared: usize) -> CacheDescription {
    let level = |kib: usize, ways, shared_by| CacheLevel {
        size: kib << 10,
        ways,
        line: 64,
        shared_by,
    };
    CacheDescription {
        l1d: level(l1, 8, 1),
        l2: level(l2, 8, 1),
        l3: level(l3, 16, l3_shared),
        vendor: Vendor::Amd,
    }
}

/// Zen 3 (this project's build machine) and Sapphire Rapids (the reference machine).
fn zen3() -> CacheDescription {
    caches(32, 512, 32 << 10, 16)
}

fn sapphire_rapids() -> CacheDescription {
    CacheDescription {
        l1d: CacheLevel {
            size: 48 << 10,
            ways: 12,
            line: 64,
            shared_by: 2,
        },
        vendor: Vendor::Intel,
        ..caches(48, 2048, 105 << 10, 112)
    }
}

fn supported_paths() -> Vec<KernelPath> {
    KernelPath::ALL
        .into_iter()
        .filter(|p| p.supported())
        .collect()
}

/// C of one packed-path product under `desc` on `threads` threads.
fn product(
    path: KernelPath,
    desc: CacheDescription,
    threads: usize,
    a: &Strided,
    b: &Strided,
    c0: &Strided,
) -> Result<Strided, KernelError> {
    let mut c = c0.clone();
    gemm_tuned(
        &GemmTuning {
            path: Some(path),
            caches: Some(desc),
            algorithm: Some(Algorithm::Blocked),
            blocking: None,
        },
        &GemmOptions {
            threads: Some(threads),
        },
        1.1,
        a.view()?,
        b.view()?,
        0.7,
        c.view_mut()?,
    )?;
    Ok(c)
}

fn bits(s: &Strided) -> Vec<u32> {
    s.data.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn the_model_predicts_these_blocks() {
    let kc_nc = |desc: &CacheDescription, path, m, k| {
        let b = blocking_for(path, desc, m, k);
        (b.kc, b.nc, b.mc)
    };
    // AVX2 (6 x 16 tiles) on Zen 3: KC <= 512 (a 256 KiB B block at NC >= 128), NC from a
    // quarter of the 2 MiB L3 share.
    assert_eq!(
        kc_nc(&zen3(), KernelPath::Avx2, 1024, 1024),
        (512, 256, 132)
    );
    assert_eq!(kc_nc(&zen3(), KernelPath::Avx2, 300, 1100), (367, 352, 132));
    assert_eq!(kc_nc(&zen3(), KernelPath::Avx2, 32, 256), (256, 512, 132));
    // ... and on Sapphire Rapids: a 48 KiB L1 holds a 6 x 2048 strip.
    assert_eq!(
        kc_nc(&sapphire_rapids(), KernelPath::Avx2, 1024, 3000),
        (1500, 160, 132)
    );
    // AVX-512 (12 x 32 tiles) on Sapphire Rapids: the measured 1024 x 256, MC 264.
    assert_eq!(
        kc_nc(&sapphire_rapids(), KernelPath::Avx512, 2048, 2048),
        (1024, 256, 264)
    );
}

/// Under each of two descriptions the product is right and the same bits on 1, 2 and 3
/// threads. Across the two, bits agree where KC does (k within one pass in both), and may
/// differ in the last place where it does not (a different summation split).
#[test]
fn two_descriptions_bit_identical_across_threads() -> Result<(), KernelError> {
    let descs = [zen3(), sapphire_rapids(), caches(8, 64, 256, 4)];
    for (m, k, n) in [(300, 1100, 260), (64, 700, 300), (130, 200, 520)] {
        let mut fill = filler((m + k + n) as u64);
        let a = Strided::new(m, k, Layout::RowMajor, &mut fill);
        let b = Strided::new(k, n, Layout::RowMajor, &mut fill);
        let c0 = Strided::new(m, n, Layout::RowMajor, &mut fill);
        let (value, scale) = reference(1.1, &a, &b, 0.7, &c0);
        for path in supported_paths() {
            let mut per_desc = Vec::new();
            for desc in descs {
                let one = product(path, desc, 1, &a, &b, &c0)?;
                let what = format!("{path} {m}x{k}x{n} on {desc}");
                check(&one, &value, &scale, k, &what).unwrap_or_else(|e| panic!("{e}"));
                for threads in [2, 3] {
                    let many = product(path, desc, threads, &a, &b, &c0)?;
                    assert_eq!(bits(&one), bits(&many), "{what}: {threads} threads");
                }
                per_desc.push((blocking_for(path, &desc, m, k).kc, bits(&one)));
            }
            for (x, y) in per_desc.iter().zip(&per_desc[1..]) {
                if x.0 == y.0 {
                    assert_eq!(x.1, y.1, "{path} {m}x{k}x{n}: same KC {}, other bits", x.0);
                }
            }
        }
    }
    Ok(())
}

/// Run in a child process with `RECUR_CACHES` set (see the next test); alone, it does nothing.
#[test]
fn child_bad_override() {
    let Ok(value) = std::env::var(CACHES_ENV) else {
        return;
    };
    let a = [1.0f32; 4];
    let mut c = [0.0f32; 4];
    let run = |c: &mut [f32]| {
        gemm(
            1.0,
            kernels::MatRef::row_major(&a, 2, 2)?,
            kernels::MatRef::row_major(&a, 2, 2)?,
            0.0,
            kernels::MatMut::row_major(c, 2, 2)?,
        )
    };
    // Every call fails the same way, naming the variable and its value.
    for _ in 0..2 {
        let err = run(&mut c).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, KernelError::CacheOverride { .. }), "{msg}");
        assert!(msg.contains(CACHES_ENV) && msg.contains(&value), "{msg}");
    }
    assert_eq!(c, [0.0; 4], "C untouched");
}

#[test]
fn bad_override_is_an_error_of_every_call() {
    let exe = std::env::current_exe().unwrap();
    for value in ["l2=lots", "l1d=32K,l5=1M", "line=48"] {
        let out = std::process::Command::new(&exe)
            .args(["--exact", "child_bad_override", "--test-threads=1"])
            .env(CACHES_ENV, value)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{value}: {text}");
        assert!(text.contains("1 passed"), "{value}: {text}");
    }
    // A good override runs.
    let out = std::process::Command::new(&exe)
        .args(["--exact", "the_model_predicts_these_blocks"])
        .env(CACHES_ENV, "l1d=48K,l2=2M,l3=105M")
        .output()
        .unwrap();
    assert!(out.status.success());
}
