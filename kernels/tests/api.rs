//! The safe API rejects bad operands and computes small products exactly.

use kernels::{GemmOptions, KernelError, MatMut, MatRef, gemm, gemm_with};

#[test]
fn two_by_two_product() -> Result<(), KernelError> {
    let a = [1.0, 2.0, 3.0, 4.0];
    let b = [5.0, 6.0, 7.0, 8.0];
    let mut c = [f32::NAN; 4];
    gemm(
        1.0,
        MatRef::row_major(&a, 2, 2)?,
        MatRef::row_major(&b, 2, 2)?,
        0.0,
        MatMut::row_major(&mut c, 2, 2)?,
    )?;
    assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
    Ok(())
}

#[test]
fn transposed_operand_is_a_stride_swap() -> Result<(), KernelError> {
    let a = [1.0, 2.0, 3.0, 4.0];
    let b = [1.0, 0.0, 0.0, 1.0];
    let mut c = [0.0; 4];
    let at = MatRef::row_major(&a, 2, 2)?.t();
    gemm(
        1.0,
        at,
        MatRef::row_major(&b, 2, 2)?,
        0.0,
        MatMut::row_major(&mut c, 2, 2)?,
    )?;
    assert_eq!(c, [1.0, 3.0, 2.0, 4.0]);
    Ok(())
}

#[test]
fn short_slice_is_an_error() {
    let a = [0.0; 5];
    let err = MatRef::row_major(&a, 2, 3).unwrap_err();
    assert!(
        matches!(
            err,
            KernelError::SliceTooShort {
                needed: 6,
                len: 5,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn aliasing_output_is_an_error() {
    let mut c = [0.0; 8];
    let err = MatMut::new(&mut c, 2, 2, 1, 1).unwrap_err();
    assert!(matches!(err, KernelError::AliasingOutput { .. }), "{err}");
}

#[test]
fn shape_mismatch_and_zero_threads_are_errors() -> Result<(), KernelError> {
    let a = [0.0; 6];
    let mut c = [0.0; 4];
    let err = gemm(
        1.0,
        MatRef::row_major(&a, 2, 3)?,
        MatRef::row_major(&a, 2, 3)?,
        0.0,
        MatMut::row_major(&mut c, 2, 2)?,
    )
    .unwrap_err();
    assert!(matches!(err, KernelError::ShapeMismatch { .. }), "{err}");
    let opts = GemmOptions { threads: Some(0) };
    let err = gemm_with(
        &opts,
        1.0,
        MatRef::row_major(&a, 2, 3)?,
        MatRef::row_major(&a, 3, 2)?,
        0.0,
        MatMut::row_major(&mut c, 2, 2)?,
    )
    .unwrap_err();
    assert_eq!(err, KernelError::ZeroThreads);
    Ok(())
}
