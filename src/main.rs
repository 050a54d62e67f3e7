fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    sinhke::cli::run()
}

/// glibc gives every thread that allocates its own arena; loading decodes records on
/// every core, and the extra arenas cost ~2 MiB of peak memory for no speed that shows.
/// Two arenas keep the load parallel and the peak inside the 60 MiB budget at 10,000 people.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
