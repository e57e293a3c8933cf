// SPDX-License-Identifier: MIT OR Apache-2.0
//! What the library needs to know of a process: whether it is alive (not a zombie), whether it
//! is a kernel thread, and whose it is.

use super::lines;

/// `PF_KTHREAD` in the flags of `/proc/<pid>/stat`.
const PF_KTHREAD: u64 = 0x0020_0000;

/// From `/proc/<pid>/status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// The state letter (`R`, `S`, `Z` for a zombie, `X` dead, ...).
    pub state: u8,
    /// Real, effective and saved user ids.
    pub uids: [u32; 3],
    /// The number of threads (`Threads:`; 1 where the line is missing).
    pub threads: u32,
}

impl Status {
    /// Whether the process has exited: a zombie waiting to be reaped, or dead. A thread-group
    /// leader that exited while other threads run shows as a zombie too, but its process lives.
    pub fn has_exited(&self) -> bool {
        matches!(self.state, b'Z' | b'X') && self.threads <= 1
    }
}

/// Parses `/proc/<pid>/status`; `None` when `State:` or `Uid:` is missing or malformed.
pub fn parse_status(text: &[u8]) -> Option<Status> {
    let mut state = None;
    let mut uids = None;
    let mut threads = 1;
    for line in lines(text) {
        if let Some(rest) = line.strip_prefix(b"State:") {
            state = rest.iter().copied().find(|b| !b.is_ascii_whitespace());
        } else if let Some(rest) = line.strip_prefix(b"Uid:") {
            let mut ids = std::str::from_utf8(rest)
                .ok()?
                .split_ascii_whitespace()
                .map(|id| id.parse::<u32>().ok());
            uids = Some([ids.next()??, ids.next()??, ids.next()??]);
        } else if let Some(rest) = line.strip_prefix(b"Threads:") {
            threads = std::str::from_utf8(rest).ok()?.trim().parse().ok()?;
        }
    }
    Some(Status {
        state: state?,
        uids: uids?,
        threads,
    })
}

/// Whether `/proc/<pid>/stat` describes a kernel thread.
pub fn is_kernel_thread(stat: &[u8]) -> bool {
    // Fields after the command name, which is in parentheses and may contain anything.
    let Some(end) = stat.iter().rposition(|&b| b == b')') else {
        return false;
    };
    let flags = std::str::from_utf8(&stat[end + 1..])
        .ok()
        .and_then(|rest| rest.split_ascii_whitespace().nth(6)?.parse::<u64>().ok());
    flags.is_some_and(|flags| flags & PF_KTHREAD != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &[u8] = b"Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t7\nUid:\t1000\t1001\t1002\t1003\nGid:\t0\t0\t0\t0\n";

    #[test]
    fn state_and_uids_are_read_from_status() {
        let status = parse_status(STATUS).unwrap();
        assert_eq!(status.state, b'S');
        assert_eq!(status.uids, [1000, 1001, 1002]);
        assert!(!status.has_exited());
        let zombie = parse_status(b"State:\tZ (zombie)\nUid:\t0\t0\t0\t0\nThreads:\t1\n").unwrap();
        assert!(zombie.has_exited());
        let leader_gone =
            parse_status(b"State:\tZ (zombie)\nUid:\t0\t0\t0\t0\nThreads:\t2\n").unwrap();
        assert!(!leader_gone.has_exited(), "its other threads still run");
    }

    #[test]
    fn truncated_status_is_refused() {
        assert!(parse_status(b"State:\tS\nUid:\t1000\t10").is_none());
        assert!(parse_status(b"Uid:\t1\t2\t3\t4\n").is_none());
        assert!(parse_status(b"").is_none());
    }

    #[test]
    fn kernel_threads_are_told_by_their_flags() {
        let kthreadd = b"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0";
        assert!(is_kernel_thread(kthreadd));
        let user = b"77 (a) b) c) S 1 77 77 34816 77 4194560 100 0 0 0";
        assert!(!is_kernel_thread(user));
        assert!(!is_kernel_thread(b"garbage"));
    }
}
