//! Waiting for a child process together with its resource usage (`wait4`), for the peak
//! resident memory of what the bench runs. Linux reports `ru_maxrss` in KiB.

use std::io;

pub enum Exit {
    Code(i32),
    Signal(i32),
}

pub struct Usage {
    pub exit: Exit,
    /// Peak resident set size, in bytes.
    pub max_rss: u64,
    /// User plus system CPU time, in seconds.
    pub cpu_seconds: f64,
}

/// Reaps the child `pid` (which the caller must not wait for again) and returns how it ended.
pub fn wait(pid: u32) -> io::Result<Usage> {
    let pid =
        libc::pid_t::try_from(pid).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, for which all-zero bytes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live, writable locals of the right types.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let exit = if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else {
        Exit::Signal(libc::WTERMSIG(status))
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Usage {
        exit,
        max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
    })
}
