fn main() -> std::process::ExitCode {
    sinhke::cli::run()
}
