fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    die_quietly_on_closed_pipe();
    sinhke::cli::run()
}

/// `sinhke audit | head` closes the pipe early; like any command-line tool, stop there
/// instead of panicking on the next line printed. (Rust ignores SIGPIPE by default.)
#[cfg(unix)]
fn die_quietly_on_closed_pipe() {
    // SAFETY: restores the default action of one signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn die_quietly_on_closed_pipe() {}

/// glibc gives every thread that allocates its own arena; loading decodes records on
/// every core, and the extra arenas cost ~2 MiB of peak memory for no speed that shows.
/// Two arenas keep the load parallel. A fixed mmap threshold keeps large blocks (the
/// work list, the dashboard's maps, rebuilt after each save) out of the heap, where
/// glibc's self-raising threshold would otherwise put them once the first was freed,
/// leaving them there as holes: 1-1.5 MiB of peak memory at 10,000 people.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only sets allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
