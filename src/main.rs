//! The `pipecat` binary: parse arguments, run the command, turn the outcome
//! into an exit code.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
