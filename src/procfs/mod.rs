// SPDX-License-Identifier: MIT OR Apache-2.0
//! Reading `/proc`, and parsing what it holds, as bytes: a path there may be any byte string
//! (a mount point or a cgroup name with a byte that is not UTF-8 must not break the library).

pub mod cgroup;
pub mod mountinfo;
pub mod process;

use std::io;
use std::path::Path;

use crate::sys;
use crate::sys::Records;

/// The mount table of the calling process's mount namespace.
pub(crate) const MOUNTINFO: &str = "/proc/self/mountinfo";

/// Reads `/proc/self/mountinfo`.
pub(crate) fn read_mountinfo() -> io::Result<Vec<u8>> {
    sys::read_path(Path::new(MOUNTINFO), Records::Many)
}

/// Reads `/proc/<pid>/<file>` (a single-record file: `status`, `stat`, `cgroup`); `pid` 0 reads
/// `/proc/self/<file>`. A process that does not exist (any more) gives ESRCH.
pub(crate) fn read_process_file(pid: libc::pid_t, file: &str) -> io::Result<Vec<u8>> {
    let path = if pid == 0 {
        format!("/proc/self/{file}")
    } else {
        format!("/proc/{pid}/{file}")
    };
    sys::read_path(Path::new(&path), Records::One).map_err(|e| match e.raw_os_error() {
        Some(libc::ENOENT) => io::Error::from_raw_os_error(libc::ESRCH),
        _ => e,
    })
}

/// The inode number of the initial pid namespace (`PROC_PID_INIT_INO`, fixed since Linux 3.8).
const INITIAL_PID_NAMESPACE: u64 = 0xEFFF_FFFC;

/// Whether the caller lives in a pid namespace below the initial one, from which processes of
/// other namespaces cannot be seen: cgroup v2 lists them as 0 in `cgroup.procs`, v1 not at all.
pub(crate) fn in_child_pid_namespace() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self/ns/pid").is_ok_and(|ns| ns.ino() != INITIAL_PID_NAMESPACE)
}

/// Splits `text` into lines without their `\n`.
pub(crate) fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n').filter(|line| !line.is_empty())
}
