//! Moving processes between groups: one pid per `write` to `cgroup.procs` (never `tasks`).

use std::io;
use std::path::Path;
use std::thread::sleep;
use std::time::Duration;

use nix::unistd::geteuid;

use crate::error::{Error, Result};
use crate::fsio;
use crate::mounts::Version;

/// How often a move that fails with EINVAL (a task still being created) is retried.
const EINVAL_RETRIES: u32 = 10;
/// `PF_KTHREAD` in the flags of `/proc/<pid>/stat`.
const PF_KTHREAD: u64 = 0x0020_0000;

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

/// Moves the whole process `pid` into the group of directory `group_dir`.
///
/// Fails with [`Error::NoSuchProcess`] when the process does not exist (or exited meanwhile),
/// [`Error::InvalidArgument`] for a kernel thread, [`Error::NotFound`] when the group is gone, and
/// [`Error::Permission`] when the kernel refuses the move, with the reason.
pub(crate) fn move_process(group_dir: &Path, version: Version, pid: libc::pid_t) -> Result<()> {
    let procs = group_dir.join("cgroup.procs");
    let text = pid.to_string();
    let mut attempt = 0;
    loop {
        let err = match fsio::write_value(&procs, text.as_bytes()) {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        match err.raw_os_error() {
            Some(libc::ESRCH) => return Err(Error::NoSuchProcess { pid }),
            Some(libc::ENOENT) => {
                return Err(Error::NotFound {
                    path: group_dir.to_path_buf(),
                })
            }
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
                return Err(refusal(&procs, version, pid, err))
            }
            _ => return Err(Error::from_io("move a process into", &procs, err)),
        }
    }
}

/// Explains why the kernel refused a move: another user's process, the v2 common-ancestor rule,
/// or a subtree that was not handed to the caller.
fn refusal(procs: &Path, version: Version, pid: libc::pid_t, source: io::Error) -> Error {
    let caller = geteuid().as_raw();
    let hint = match process_uids(pid) {
        Some((real, saved)) if caller != 0 && caller != real && caller != saved => {
            format!(" (process {pid} belongs to uid {real}: only root can move another user's processes)")
        }
        _ if version == Version::V2 => String::from(
            " (cgroup v2 lets a process be moved only by someone who may write the cgroup.procs of \
             the common ancestor of its current and its new group, so a process that lives outside \
             your delegated subtree cannot be moved into it: start it inside instead, with \
             cgroups_attach_self() in a child of a process already there, or from a systemd unit \
             with Delegate=yes)"
        ),
        _ => format!(" (no write access to {}: as root, run `user_cgroups USER` to hand the user their subtree)", procs.display()),
    };
    Error::Permission {
        action: "move a process into",
        path: procs.to_path_buf(),
        source,
        hint,
    }
}

/// The real and saved uids of `pid`, from `/proc/<pid>/status`.
fn process_uids(pid: libc::pid_t) -> Option<(u32, u32)> {
    let status = fsio::read_text(Path::new(&format!("/proc/{pid}/status"))).ok()?;
    let uids: Vec<u32> = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .filter_map(|u| u.parse().ok())
        .collect();
    Some((*uids.first()?, *uids.get(2)?))
}

/// Moves each of `pids` into the group of directory `group_dir`, skipping processes that exited
/// meanwhile; fails like [`move_process`] otherwise.
pub(crate) fn move_processes(
    group_dir: &Path,
    version: Version,
    pids: &[libc::pid_t],
) -> Result<()> {
    for &pid in pids {
        match move_process(group_dir, version, pid) {
            Ok(()) | Err(Error::NoSuchProcess { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

fn is_kernel_thread(pid: libc::pid_t) -> bool {
    let Ok(stat) = fsio::read_text(Path::new(&format!("/proc/{pid}/stat"))) else {
        return false;
    };
    // Fields after the command name, which is in parentheses and may contain spaces.
    let flags = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_ascii_whitespace().nth(6)?.parse::<u64>().ok());
    flags.is_some_and(|flags| flags & PF_KTHREAD != 0)
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
}
