//! The `vectorized!` macro: one loop body compiled per instruction-set family, chosen at run
//! time. Its users are the cell step arithmetic of [`super::lstm`] and [`super::gru`].

/// Defines a public function whose body (a loop over slices) is compiled three times, for
/// AVX-512, for AVX2 and for the baseline, and runs the one the CPU supports ([`super::path`]).
/// `on_path` runs a named path (false when the CPU lacks it), for the tests.
macro_rules! vectorized {
    ($(#[$attr:meta])* pub fn $name:ident / $on_path:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$attr])*
        pub fn $name($($arg: $ty),*) {
            $on_path(super::path(), $($arg),*);
        }

        $(#[$attr])*
        fn $on_path(path: $crate::gemm::KernelPath, $($arg: $ty),*) -> bool {
            #[inline(always)]
            $(#[$attr])*
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f")]
            $(#[$attr])*
            fn avx512($($arg: $ty),*) {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            $(#[$attr])*
            fn avx2($($arg: $ty),*) {
                body($($arg),*)
            }
            if !path.supported() {
                return false;
            }
            match path {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `supported` confirmed AVX-512F just above.
                $crate::gemm::KernelPath::Avx512 => unsafe { avx512($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `supported` confirmed AVX2 and FMA just above.
                $crate::gemm::KernelPath::Avx2 => unsafe { avx2($($arg),*) },
                _ => body($($arg),*),
            }
            true
        }
    };
}
