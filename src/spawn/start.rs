//! Starting the child: `clone3` straight into the group's cgroup2 directory (`CLONE_INTO_CGROUP`,
//! Linux 5.7+) or a plain fork-like `clone`, the child's async-signal-safe way to `execve`, and
//! the report of a failure before `exec` over a close-on-exec pipe.
//!
//! Between the clone and `execve` the child is a copy of a possibly multithreaded process in
//! which other threads may have held locks (the allocator's, stdio's) at the moment of the clone:
//! it only reads what the parent prepared and makes async-signal-safe calls (`sigaction`,
//! `sigprocmask`, `openat`, `write`, `close`, `execve`, `_exit`). No allocation, no lock, no
//! panic, no destructor runs there.

use std::ffi::{c_char, c_int, CString};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::fcntl::OFlag;

use crate::cgroup::Cgroup;
use crate::group_dir::GroupDir;

/// `CLONE_INTO_CGROUP` (Linux 5.7), absent from libc.
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
/// `CLONE_CLEAR_SIGHAND` (Linux 5.5), absent from libc: the child starts with every caught
/// signal back at its default.
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;

/// The kernel's `struct clone_args` up to `cgroup` (`CLONE_ARGS_SIZE_VER2`); libc has no
/// definition for glibc targets.
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// Set once `clone3` was refused as unknown, or with flags unknown to the kernel: ENOSYS (before
/// Linux 5.3, or a seccomp filter that hides `clone3`), E2BIG or EINVAL (5.3–5.6). `clone` is
/// used from then on, and the child does itself what the flags did.
static NO_CLONE3: AtomicBool = AtomicBool::new(false);

/// What the child tells the parent, through the pipe, when it fails before `exec`: the stage
/// (an index into the group's directories for a failed join, [`EXEC_STAGE`] for `execve`) in the
/// high half, the errno in the low half.
const EXEC_STAGE: u32 = u32::MAX;

/// What `execve` is given: prepared before the clone, only read after it.
pub(super) struct Exec<'a> {
    /// The paths to try in order (the PATH search); at least one.
    pub candidates: &'a [CString],
    /// The NULL-terminated argument array.
    pub argv: *const *const c_char,
    /// The NULL-terminated environment array.
    pub envp: *const *const c_char,
}

/// Why a start failed.
#[derive(Debug)]
pub(super) enum StartError<'a> {
    /// `clone3` into this directory (or `clone`, when `None`) failed.
    Clone(Option<&'a GroupDir>, io::Error),
    /// The child could not move itself into this directory.
    Join(&'a GroupDir, io::Error),
    /// `execve` failed (after the PATH search) with this error.
    Exec(io::Error),
    /// The report pipe failed (creating or reading it); the child, if any, was killed and reaped.
    Pipe(io::Error),
}

/// Starts a child that joins every directory of `group` and then executes `exec`; returns its
/// pid once its `execve` succeeded. On failure the child, if there was one, has been reaped.
pub(super) fn start<'a>(group: &'a Cgroup, exec: &Exec<'_>) -> Result<libc::pid_t, StartError<'a>> {
    let (dirs, unified) = (group.dirs(), group.unified_dir());
    let (report_read, report_write) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| StartError::Pipe(e.into()))?;
    let signals = (libc::SIGRTMIN(), libc::SIGRTMAX());
    // No handler of the caller may run in the child before it resets them: every signal stays
    // blocked from before the clone until the child's dispositions are back to the defaults.
    let blocked = BlockedSignals::all();
    let pid = match fork_into(unified.map(GroupDir::fd)) {
        Ok(Forked::Child { by_clone3 }) => {
            let skip = unified.filter(|_| by_clone3);
            child(
                dirs,
                skip,
                by_clone3,
                exec,
                report_write.as_raw_fd(),
                signals,
            )
        }
        Ok(Forked::Parent(pid)) => pid,
        Err((into, e)) => return Err(StartError::Clone(unified.filter(|_| into), e)),
    };
    drop(blocked);
    drop(report_write);
    match read_report(report_read.as_fd()) {
        Ok(None) => Ok(pid),
        Ok(Some(word)) => {
            reap(pid);
            let (stage, errno) = ((word >> 32) as u32, word as u32 as c_int);
            let error = io::Error::from_raw_os_error(errno);
            if stage == EXEC_STAGE {
                return Err(StartError::Exec(error));
            }
            match dirs.get(stage as usize) {
                Some(dir) => Err(StartError::Join(dir, error)),
                None => Err(StartError::Pipe(io::Error::from_raw_os_error(libc::EPROTO))),
            }
        }
        Err(e) => {
            // SAFETY: our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            reap(pid);
            Err(StartError::Pipe(e))
        }
    }
}

enum Forked {
    /// In the child; `by_clone3`: created by `clone3`, so inside the group's cgroup2 directory
    /// (if it has one) and with its caught signals back at their defaults.
    Child { by_clone3: bool },
    /// In the parent, with the child's pid.
    Parent(libc::pid_t),
}

/// Clones the calling thread into a child: `clone3(CLONE_CLEAR_SIGHAND)`, with
/// `CLONE_INTO_CGROUP` into `unified` when there is one, where the kernel has them, else
/// `clone`. Both are fork-like (no `CLONE_VM`, no new stack: the child returns here on its copy
/// of this stack) and `CLONE_VFORK`: the calling thread sleeps until the child has called
/// `execve` or exited, so it does not copy pages the child still shares (and the clone skips the
/// C library's fork handlers, which the child needs none of). On failure, whether `clone3` into
/// `unified` was what failed.
fn fork_into(unified: Option<BorrowedFd<'_>>) -> Result<Forked, (bool, io::Error)> {
    if !NO_CLONE3.load(Ordering::Relaxed) {
        let args = CloneArgs {
            flags: CLONE_CLEAR_SIGHAND
                | libc::CLONE_VFORK as u64
                | unified.map_or(0, |_| CLONE_INTO_CGROUP),
            exit_signal: libc::SIGCHLD as u64,
            cgroup: unified.map_or(0, |dir| dir.as_raw_fd() as u64),
            ..CloneArgs::default()
        };
        // SAFETY: a valid clone_args of the size given; fork-like, as above. The child makes
        // only async-signal-safe calls.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_clone3,
                &args as *const CloneArgs,
                std::mem::size_of::<CloneArgs>(),
            )
        };
        match ret {
            0 => return Ok(Forked::Child { by_clone3: true }),
            pid if pid > 0 => return Ok(Forked::Parent(pid as libc::pid_t)),
            _ => {
                let e = io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::ENOSYS | libc::E2BIG | libc::EINVAL) => {
                        NO_CLONE3.store(true, Ordering::Relaxed)
                    }
                    _ => return Err((unified.is_some(), e)),
                }
            }
        }
    }
    let flags = (libc::CLONE_VFORK | libc::SIGCHLD) as libc::c_long;
    // SAFETY: fork-like, as above (every other argument is 0, whatever their order on this
    // architecture). The child makes only async-signal-safe calls.
    match unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) } {
        0 => Ok(Forked::Child { by_clone3: false }),
        -1 => Err((false, io::Error::last_os_error())),
        pid => Ok(Forked::Parent(pid as libc::pid_t)),
    }
}

/// The child: default dispositions (see [`reset_signals`]), the group's directories joined
/// (all but `skip`, which the clone joined), an empty signal mask, then `execve`. Never returns.
fn child(
    dirs: &[GroupDir],
    skip: Option<&GroupDir>,
    handlers_cleared: bool,
    exec: &Exec<'_>,
    report: RawFd,
    signals: (c_int, c_int),
) -> ! {
    reset_signals(handlers_cleared, signals);
    for (index, dir) in dirs.iter().enumerate() {
        if skip.is_some_and(|joined| std::ptr::eq(joined, dir)) {
            continue;
        }
        if let Err(e) = dir.attach_self() {
            report_and_exit(report, index as u32, e.raw_os_error().unwrap_or(libc::EIO));
        }
    }
    // SAFETY: sigemptyset initialises the set; sigprocmask is async-signal-safe.
    unsafe {
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
    }
    let errno = exec_candidates(exec);
    report_and_exit(report, EXEC_STAGE, errno)
}

/// Sets every standard signal (1–31) to its default, ignored ones too, and every caught
/// real-time signal (`signals`: SIGRTMIN..=SIGRTMAX) unless the clone already did
/// (`handlers_cleared`); ignored real-time signals stay ignored, as across `execve`. No handler
/// of the caller can then run in the child once it unblocks signals.
fn reset_signals(handlers_cleared: bool, (first_realtime, last_realtime): (c_int, c_int)) {
    // SAFETY: all-zero is a valid sigaction: handler SIG_DFL, empty mask, no flags.
    let default: libc::sigaction = unsafe { std::mem::zeroed() };
    for signal in (1..32).filter(|&s| s != libc::SIGKILL && s != libc::SIGSTOP) {
        // SAFETY: sigaction is async-signal-safe; `default` is valid.
        unsafe { libc::sigaction(signal, &default, std::ptr::null_mut()) };
    }
    if handlers_cleared {
        return;
    }
    for signal in first_realtime..=last_realtime {
        // SAFETY: as above; `current` is writable.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            let caught = libc::sigaction(signal, std::ptr::null(), &mut current) == 0
                && current.sa_sigaction != libc::SIG_DFL
                && current.sa_sigaction != libc::SIG_IGN;
            if caught {
                libc::sigaction(signal, &default, std::ptr::null_mut());
            }
        }
    }
}

/// `execve` on each candidate in turn, as `execvp` does: a missing file (ENOENT, ENOTDIR, …)
/// moves on to the next directory, EACCES is remembered and the search goes on, any other error
/// ends it. Returns the errno to report: EACCES if some candidate gave it, else the last one.
fn exec_candidates(exec: &Exec<'_>) -> c_int {
    let mut denied = false;
    let mut last = libc::ENOENT;
    for candidate in exec.candidates {
        // SAFETY: NUL-terminated path, NULL-terminated arrays prepared by the parent.
        unsafe { libc::execve(candidate.as_ptr(), exec.argv, exec.envp) };
        last = io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO);
        match last {
            libc::EACCES => denied = true,
            libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
            _ => return last,
        }
    }
    if denied {
        libc::EACCES
    } else {
        last
    }
}

/// Writes the failure word to the report pipe (8 bytes: one atomic pipe write) and exits.
fn report_and_exit(report: RawFd, stage: u32, errno: c_int) -> ! {
    let word = (u64::from(stage) << 32) | u64::from(errno as u32);
    let bytes = word.to_ne_bytes();
    // SAFETY: async-signal-safe calls on an open descriptor and a valid 8-byte buffer.
    unsafe {
        libc::write(report, bytes.as_ptr().cast(), bytes.len());
        libc::_exit(127)
    }
}

/// Reads the child's report: `None` when the pipe closed empty (`execve` succeeded: the pipe is
/// close-on-exec), the failure word otherwise.
fn read_report(report: BorrowedFd<'_>) -> io::Result<Option<u64>> {
    let mut bytes = [0u8; 8];
    let mut filled = 0;
    while let Some(rest) = bytes.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        match nix::unistd::read(report, rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    match filled {
        0 => Ok(None),
        8 => Ok(Some(u64::from_ne_bytes(bytes))),
        _ => Err(io::Error::from_raw_os_error(libc::EPROTO)),
    }
}

/// Waits for the child that failed before `exec`, so that no zombie is left.
fn reap(pid: libc::pid_t) {
    loop {
        // SAFETY: our own child; the status is not needed.
        let ret = unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
        if ret != -1 || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}

/// The calling thread's signal mask before every signal was blocked; restored on drop.
struct BlockedSignals(libc::sigset_t);

impl BlockedSignals {
    fn all() -> BlockedSignals {
        // SAFETY: sigfillset initialises `all`; pthread_sigmask stores the old mask in `old`.
        unsafe {
            let mut all: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
            BlockedSignals(old)
        }
    }
}

impl Drop for BlockedSignals {
    fn drop(&mut self) {
        // SAFETY: restores a mask pthread_sigmask returned.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut()) };
    }
}
