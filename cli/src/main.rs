//! The `recur` binary: see `recur --help`.

#![forbid(unsafe_code)]

fn main() {
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let code = cli::run(std::env::args_os(), &mut stdout, &mut stderr);
    std::process::exit(code);
}
