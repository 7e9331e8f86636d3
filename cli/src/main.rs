//! The `recur` binary: see `recur --help`.

fn main() {
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let code = cli::run(
        std::env::args_os(),
        &cli::backend::NnBackend,
        &mut stdout,
        &mut stderr,
    );
    std::process::exit(code);
}
