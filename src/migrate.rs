// SPDX-License-Identifier: MIT OR Apache-2.0
//! Moving processes between groups: one pid per `write` to `cgroup.procs` (never `tasks`), the
//! checks before a move, and the explanation of a refused one.

use std::io;
use std::os::fd::BorrowedFd;
use std::path::Path;
use std::thread::sleep;
use std::time::Duration;

use nix::unistd::geteuid;

use crate::error::{Error, Result};
use crate::layout::Version;
use crate::procfs;
use crate::procfs::process::Status;
use crate::sys;

/// Why a user may not open a group's `cgroup.procs` for writing.
pub(crate) const NOT_DELEGATED: &str =
    " (no write access: root has to delegate the user's subtree first, with user_cgroups)";

/// How often a move that fails with EINVAL (a task still being created) is retried.
const EINVAL_RETRIES: u32 = 10;

/// Checks that `pid` names a process: positive, since 0 means "the caller" to the kernel and
/// negative values mean nothing.
pub(crate) fn check_pid(pid: libc::pid_t) -> Result<()> {
    if pid <= 0 {
        return Err(Error::InvalidArgument(format!(
            "pid {pid} is not a process id (it must be positive)"
        )));
    }
    Ok(())
}

/// Reads the state and owner of `pid`. A zombie counts as gone: the kernel accepts its pid in
/// `cgroup.procs` but moves nothing.
///
/// Fails with [`Error::NoSuchProcess`] for a process that does not exist or has exited.
pub(crate) fn process_status(pid: libc::pid_t) -> Result<Status> {
    let text = procfs::read_process_file(pid, "status").map_err(|e| match e.raw_os_error() {
        Some(libc::ESRCH) => Error::no_such_process(pid),
        _ => Error::from_io("read", format!("/proc/{pid}/status"), e),
    })?;
    match procfs::process::parse_status(&text) {
        Some(status) if status.has_exited() => Err(Error::no_such_process(pid)),
        Some(status) => Ok(status),
        None => Err(Error::Unsupported(format!(
            "/proc/{pid}/status has no State: or Uid: line"
        ))),
    }
}

/// Refuses to put process `pid` (whose status is `status`) into a group owned by `owner` when the
/// owner is neither root nor the process's user: on cgroup v2 whoever may write a group's files
/// may freeze or kill its processes, so that would hand the process to another user.
pub(crate) fn check_owner(
    pid: libc::pid_t,
    status: &Status,
    owner: u32,
    group: &Path,
) -> Result<()> {
    let [real, _, saved] = status.uids;
    if owner == 0 || owner == real || owner == saved {
        return Ok(());
    }
    let caller = geteuid().as_raw();
    let hint = if caller != 0 && caller != real && caller != saved {
        format!(
            " (process {pid} belongs to uid {real}: only root can move another user's processes)"
        )
    } else {
        format!(
            " (process {pid} belongs to uid {real} and the group to uid {owner}, another user, who \
             could then freeze, kill or throttle it: only processes of the group's owner go into \
             it)"
        )
    };
    Err(Error::Permission {
        action: "move a process into",
        path: group.to_path_buf(),
        source: io::Error::from_raw_os_error(libc::EPERM),
        hint,
    })
}

/// Writes `pid` to the open `cgroup.procs` `procs` (at `procs_path`, for messages) of a group on a
/// `version` hierarchy, retrying a transient EINVAL.
///
/// Fails with [`Error::NoSuchProcess`] when the process exited meanwhile, [`Error::InvalidArgument`]
/// for a kernel thread, [`Error::NotFound`] when the group is gone, and [`Error::Permission`] when
/// the kernel refuses, with the reason.
pub(crate) fn write_pid(
    procs: BorrowedFd<'_>,
    procs_path: &Path,
    version: Version,
    pid: libc::pid_t,
) -> Result<()> {
    let text = pid.to_string();
    let mut attempt = 0;
    loop {
        let err = match sys::write_once(procs, text.as_bytes()) {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        match err.raw_os_error() {
            Some(libc::ESRCH) => return Err(Error::no_such_process(pid)),
            Some(libc::EINVAL) if is_kernel_thread(pid) => {
                return Err(Error::InvalidArgument(format!(
                    "pid {pid} is a kernel thread, which cannot be moved"
                )))
            }
            Some(libc::EINVAL) if attempt < EINVAL_RETRIES => {
                attempt += 1;
                sleep(Duration::from_millis(u64::from(attempt)));
            }
            Some(libc::EACCES) | Some(libc::EPERM) => {
                return Err(refusal(procs_path, version, pid, err))
            }
            _ => return Err(Error::from_io("move a process into", procs_path, err)),
        }
    }
}

/// Explains why the kernel refused a move; see [`refusal_hint`].
fn refusal(procs: &Path, version: Version, pid: libc::pid_t, source: io::Error) -> Error {
    let owner = process_status(pid).ok().map(|status| status.uids);
    Error::Permission {
        action: "move a process into",
        path: procs.to_path_buf(),
        source,
        hint: refusal_hint(geteuid().as_raw(), owner, version, pid),
    }
}

/// Why a `write` of `pid` to a `cgroup.procs` that `caller` could open was refused: another
/// user's process; on v2 the common-ancestor rule; otherwise (root, or v1, where opening the file
/// was the access check) a controller's or a security module's veto.
fn refusal_hint(
    caller: u32,
    process_uids: Option<[u32; 3]>,
    version: Version,
    pid: libc::pid_t,
) -> String {
    match process_uids {
        Some([real, _, saved]) if caller != 0 && caller != real && caller != saved => {
            return format!(
            " (process {pid} belongs to uid {real}: only root can move another user's processes)"
        )
        }
        _ => {}
    }
    if caller != 0 && version == Version::V2 {
        return String::from(
            " (cgroup v2 lets a process be moved only by someone who may write the cgroup.procs of \
             the common ancestor of its current and its new group, so a process that lives outside \
             your delegated subtree cannot be moved into it: start it inside instead, from a process \
             already there (spawn it into the group, or attach the child between fork and exec), or \
             from a systemd unit with Delegate=yes)",
        );
    }
    String::from(
        " (the kernel refused the move itself, not access to the file: a controller or a security \
         module vetoed it; for example cpuset refuses a task whose CPU affinity or real-time or \
         deadline scheduling the caller may not change or the target cannot hold)",
    )
}

fn is_kernel_thread(pid: libc::pid_t) -> bool {
    procfs::read_process_file(pid, "stat")
        .is_ok_and(|stat| procfs::process::is_kernel_thread(&stat))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_negative_pids_are_refused() {
        assert!(check_pid(0).is_err());
        assert!(check_pid(-5).is_err());
        assert!(check_pid(1).is_ok());
    }

    #[test]
    fn kthreadd_is_recognised_as_a_kernel_thread() {
        assert!(is_kernel_thread(2) || !Path::new("/proc/2").exists());
        assert!(!is_kernel_thread(std::process::id() as libc::pid_t));
    }

    #[test]
    fn a_refusal_of_ones_own_process_on_v1_blames_a_veto_not_delegation() {
        let hint = refusal_hint(1000, Some([1000, 1000, 1000]), Version::V1, 7);
        assert!(
            hint.contains("veto") && !hint.contains("delegate"),
            "{hint}"
        );
        let hint = refusal_hint(1000, Some([2000, 2000, 2000]), Version::V1, 7);
        assert!(hint.contains("belongs to uid 2000"), "{hint}");
        let hint = refusal_hint(1000, Some([1000, 1000, 1000]), Version::V2, 7);
        assert!(hint.contains("common ancestor"), "{hint}");
        let hint = refusal_hint(0, Some([1000, 1000, 1000]), Version::V2, 7);
        assert!(hint.contains("veto"), "{hint}");
    }

    #[test]
    fn a_process_goes_only_into_groups_of_root_or_its_own_user() {
        let status = Status {
            state: b'S',
            uids: [1000, 1000, 1001],
            threads: 1,
        };
        let group = Path::new("/g");
        assert!(check_owner(7, &status, 0, group).is_ok());
        assert!(check_owner(7, &status, 1000, group).is_ok());
        assert!(check_owner(7, &status, 1001, group).is_ok());
        let err = check_owner(7, &status, 2000, group).unwrap_err();
        assert!(matches!(err, Error::Permission { .. }), "{err}");
    }
}
