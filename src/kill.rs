//! Signalling every process of a group and of its descendants, including those forked while
//! the signal goes out, and waiting until a group is empty.
//!
//! v2 SIGKILL goes through `cgroup.kill` (Linux 5.14+), which the kernel applies atomically.
//! Otherwise the group is frozen (so nobody forks or exits), each member is signalled by pid,
//! and the group is thawed; a listing after the thaw that finds a member not yet signalled (one
//! moved in meanwhile) starts another round. While a group is frozen its members cannot exit,
//! so a pid read from `cgroup.procs` cannot be reused by another process before it is
//! signalled. A v1 group opened without the freezer can still be killed with SIGKILL: its
//! members are killed until none is left (a process killed before its fork completes cannot
//! finish it).

use std::collections::HashSet;
use std::io;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::cgroup::Cgroup;
use crate::controller::freezer::{self, STATE_TIMEOUT};
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::layout::{Controller, Version};

/// How long a kill may go on while processes keep entering the group.
const KILL_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest pause between two listings while waiting on v1, which notifies nobody.
const V1_POLL_MAX: Duration = Duration::from_millis(50);

/// Fails with [`Error::InvalidArgument`] for 0, negative numbers and numbers above SIGRTMAX.
fn check_signal(signal: i32) -> Result<()> {
    if !(1..=libc::SIGRTMAX()).contains(&signal) {
        return Err(Error::InvalidArgument(format!(
            "signal {signal} is not a signal number (1 to {})",
            libc::SIGRTMAX()
        )));
    }
    Ok(())
}

impl Cgroup {
    /// Sends `signal` to every process of the group and of its child groups, including
    /// processes forked while the signal goes out: v2 SIGKILL through `cgroup.kill` (5.14+);
    /// otherwise the group is frozen, each member signalled and the group thawed, repeated until
    /// no member is left unsignalled. The group is thawed afterwards (a frozen process could
    /// not act on the signal). Returns once every member was signalled; [`Cgroup::wait_empty`]
    /// waits for them to exit. [`Cgroup::delete`] never kills.
    ///
    /// Fails with [`Error::InvalidArgument`] for an invalid signal number (nothing is done),
    /// [`Error::ControllerUnavailable`] for a signal other than SIGKILL on a v1 group opened
    /// without the freezer, [`Error::Unsupported`] for one on a v2 kernel without freezer
    /// (before 5.2), [`Error::Permission`] for a process of another user,
    /// [`Error::Busy`] for members outside the caller's pid namespace, [`Error::TimedOut`]
    /// when processes keep entering the group for 10 s, and [`Error::NotFound`].
    pub fn kill(&self, signal: i32) -> Result<()> {
        check_signal(signal)?;
        let deadline = Instant::now() + KILL_TIMEOUT;
        if signal == libc::SIGKILL {
            if let Some(dir) = self.unified_dir() {
                match dir.write("cgroup.kill", b"1") {
                    Ok(()) => return Ok(()),
                    Err(Error::Unsupported(_)) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        let freezer = self
            .dir(Controller::Freezer)
            .ok()
            .or_else(|| self.unified_dir());
        match freezer {
            Some(freezer) => match self.signal_frozen(freezer, signal, deadline) {
                Err(Error::Unsupported(_)) if signal == libc::SIGKILL => {
                    self.kill_until_empty(deadline)
                }
                Err(Error::Unsupported(reason)) => Err(Error::Unsupported(format!(
                    "{reason}; signalling a v2 group needs it, or cgroup.kill (5.14) for SIGKILL"
                ))),
                result => result,
            },
            None if signal == libc::SIGKILL => self.kill_until_empty(deadline),
            None => Err(Error::ControllerUnavailable {
                controller: Controller::Freezer.name(),
                reason: format!(
                    "group {:?} was not opened with it, and a signal other than SIGKILL reaches \
                     the processes forked meanwhile only through a frozen group",
                    self.name()
                ),
            }),
        }
    }

    /// Waits until no process is left in the group or its descendants: v2 `cgroup.events`
    /// (`populated 0`, notified by the kernel), v1 by listing the group's processes with a
    /// growing pause (1 ms up to 50 ms). `None` waits without a time limit; a zero timeout
    /// checks once.
    ///
    /// Fails with [`Error::TimedOut`] when processes are left at the time-out, and
    /// [`Error::NotFound`] when the group was deleted.
    pub fn wait_empty(&self, timeout: Option<Duration>) -> Result<()> {
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        for dir in self.dirs() {
            let empty = match dir.version() {
                Version::V2 => dir.wait_core_events(|events| !events.populated, deadline)?,
                Version::V1 => wait_v1_empty(dir, deadline)?,
            };
            if !empty {
                return Err(Error::TimedOut(format!(
                    "{}: processes are left in the group after {:?}",
                    dir.path().display(),
                    timeout.unwrap_or_default()
                )));
            }
        }
        Ok(())
    }

    /// Freezes the group through `freezer`, signals each member not signalled yet, thaws it;
    /// again until a listing after the thaw finds nobody new.
    fn signal_frozen(&self, freezer: &GroupDir, signal: i32, deadline: Instant) -> Result<()> {
        let mut signalled = HashSet::new();
        loop {
            let frozen =
                freezer::set_frozen(freezer, true, deadline.max(Instant::now() + STATE_TIMEOUT));
            if let Err(err) = frozen {
                // A freeze that did not finish leaves the group freezing: thaw it again, so
                // that kill never leaves it (half) frozen.
                let _ = freezer::set_frozen(freezer, false, Instant::now() + STATE_TIMEOUT);
                return Err(err);
            }
            let sent = self.signal_members(signal, &mut signalled);
            let thawed = freezer::set_frozen(freezer, false, Instant::now() + STATE_TIMEOUT);
            sent?;
            thawed?;
            let left = self.visible_members()?;
            if left.iter().all(|pid| signalled.contains(pid)) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.kept_coming());
            }
        }
    }

    /// Signals every member not in `signalled` and records it there.
    fn signal_members(&self, signal: i32, signalled: &mut HashSet<libc::pid_t>) -> Result<()> {
        for pid in self.visible_members()? {
            if signalled.insert(pid) {
                self.send(pid, signal)?;
            }
        }
        Ok(())
    }

    /// Kills the members with SIGKILL until none is left.
    fn kill_until_empty(&self, deadline: Instant) -> Result<()> {
        let mut pause = Duration::from_millis(1);
        loop {
            let members = self.visible_members()?;
            if members.is_empty() {
                return Ok(());
            }
            for pid in members {
                self.send(pid, libc::SIGKILL)?;
            }
            if Instant::now() >= deadline {
                return Err(self.kept_coming());
            }
            sleep(pause);
            pause = (pause * 2).min(V1_POLL_MAX);
        }
    }

    /// The visible processes of the group and its descendants in every hierarchy.
    ///
    /// Fails with [`Error::Busy`] when some live outside the caller's pid namespace.
    fn visible_members(&self) -> Result<Vec<libc::pid_t>> {
        let mut pids = Vec::new();
        for dir in self.dirs() {
            let members = dir.members_below()?;
            if members.hidden > 0 {
                return Err(Error::Busy {
                    path: dir.path().to_path_buf(),
                    reason: format!(
                        "{} process(es) of the group live outside the caller's pid namespace and \
                         cannot be signalled from here",
                        members.hidden
                    ),
                });
            }
            pids.extend(members.visible);
        }
        pids.sort_unstable();
        pids.dedup();
        Ok(pids)
    }

    /// Sends `signal` to `pid`; a process that exited meanwhile is fine.
    fn send(&self, pid: libc::pid_t, signal: i32) -> Result<()> {
        // SAFETY: kill has no memory-safety preconditions.
        if unsafe { libc::kill(pid, signal) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::ESRCH) => Ok(()),
            _ => Err(Error::from_io(
                "signal a process of",
                self.paths()
                    .next()
                    .unwrap_or(std::path::Path::new(self.name())),
                err,
            )
            .with_permission_hint(&format!(" (process {pid} belongs to another user)"))),
        }
    }

    fn kept_coming(&self) -> Error {
        Error::TimedOut(format!(
            "group {:?}: processes kept entering it while it was being signalled",
            self.name()
        ))
    }
}

/// Lists the v1 group of `dir` and its descendants until no process is left, or `deadline`.
fn wait_v1_empty(dir: &GroupDir, deadline: Option<Instant>) -> Result<bool> {
    let mut pause = Duration::from_millis(1);
    loop {
        let members = dir.members_below()?;
        if members.visible.is_empty() && members.hidden == 0 {
            return Ok(true);
        }
        if let Some(deadline) = deadline {
            match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => pause = pause.min(left),
                _ => return Ok(false),
            }
        }
        sleep(pause);
        pause = (pause * 2).min(V1_POLL_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_signal_numbers_are_accepted() {
        for good in [libc::SIGHUP, libc::SIGTERM, libc::SIGKILL, libc::SIGRTMAX()] {
            assert!(check_signal(good).is_ok(), "{good}");
        }
        for bad in [0, -1, libc::SIGRTMAX() + 1, i32::MAX, i32::MIN] {
            assert!(check_signal(bad).is_err(), "{bad}");
        }
    }
}
