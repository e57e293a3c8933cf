// SPDX-License-Identifier: MIT OR Apache-2.0
//! Freezing: v2 `cgroup.freeze` (built into every v2 group, Linux 5.2+), confirmed by `frozen 1`
//! in `cgroup.events`; v1 `freezer.state` (`FROZEN`, `THAWED`), which reads `FREEZING` until
//! every task is frozen. Both calls return once the kernel reports the new state, within a
//! bounded time. Freezing a group freezes its descendants too.

use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::layout::{Controller, Version};

/// How long freezing or thawing may take before the call reports a time-out.
pub(crate) const STATE_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest pause between two reads of v1 `freezer.state`, which notifies nobody.
const V1_POLL_MAX: Duration = Duration::from_millis(20);

/// Freezes (`frozen`) or thaws the group of `dir` and waits until the kernel reports it, or
/// until `deadline`.
///
/// Fails with [`Error::TimedOut`] at the deadline, [`Error::Busy`] when a v1 thaw is held back
/// by a frozen ancestor, [`Error::Unsupported`] on a v2 kernel without a freezer (before 5.2),
/// and [`Error::NotFound`] when the group was removed.
pub(crate) fn set_frozen(dir: &GroupDir, frozen: bool, deadline: Instant) -> Result<()> {
    let reached = match dir.version() {
        Version::V2 => {
            dir.write("cgroup.freeze", if frozen { b"1" } else { b"0" })
                .map_err(|err| match err {
                    Error::Unsupported(_) => Error::Unsupported(format!(
                        "{}: cgroup.freeze does not exist: the cgroup v2 freezer needs Linux 5.2",
                        dir.path().display()
                    )),
                    other => other,
                })?;
            dir.wait_core_events(|events| events.frozen == Some(frozen), Some(deadline))?
        }
        Version::V1 => {
            let state = if frozen { "FROZEN" } else { "THAWED" };
            dir.write("freezer.state", state.as_bytes())?;
            if !frozen && dir.read_text("freezer.parent_freezing")?.trim() == "1" {
                return Err(Error::Busy {
                    path: dir.path().to_path_buf(),
                    reason: "an ancestor group is frozen, so this one stays frozen: thaw the \
                             ancestor"
                        .into(),
                });
            }
            wait_v1_state(dir, state, deadline)?
        }
    };
    if reached {
        return Ok(());
    }
    if frozen {
        // A failed freeze does not leave the group half-frozen.
        let _ = set_frozen(dir, false, Instant::now() + STATE_TIMEOUT);
    }
    Err(Error::TimedOut(format!(
        "{}: the kernel did not report the group {} in time (a task stuck in the kernel, or on \
         v2 a frozen ancestor, holds it back)",
        dir.path().display(),
        if frozen { "frozen" } else { "thawed" },
    )))
}

/// Polls v1 `freezer.state` until it reads `state`, with a growing pause (1 ms up to 20 ms).
fn wait_v1_state(dir: &GroupDir, state: &str, deadline: Instant) -> Result<bool> {
    let mut pause = Duration::from_millis(1);
    loop {
        if dir.read_text("freezer.state")?.trim() == state {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        sleep(pause);
        pause = (pause * 2).min(V1_POLL_MAX);
    }
}

/// Whether the kernel reports the group of `dir` frozen.
pub(crate) fn is_frozen(dir: &GroupDir) -> Result<bool> {
    match dir.version() {
        Version::V2 => dir.core_events()?.frozen.ok_or_else(|| {
            Error::Unsupported(format!(
                "{}: cgroup.events has no \"frozen\" key: the cgroup v2 freezer needs Linux 5.2",
                dir.path().display()
            ))
        }),
        Version::V1 => Ok(dir.read_text("freezer.state")?.trim() == "FROZEN"),
    }
}

impl Cgroup {
    /// Freezes every process of the group and of its descendants, and returns once the kernel
    /// reports the group frozen (v2 `cgroup.events`, v1 `freezer.state`). Frozen processes
    /// stay in memory, using no CPU, until [`Cgroup::thaw`].
    ///
    /// Fails with [`Error::TimedOut`] when the kernel has not reported it frozen after 10 s
    /// (the group is thawed again), [`Error::ControllerUnavailable`] when the group was opened
    /// without the freezer, [`Error::Unsupported`] on a v2 kernel before 5.2, and
    /// [`Error::NotFound`] when it was deleted.
    pub fn freeze(&self) -> Result<()> {
        let dir = self.dir(Controller::Freezer)?;
        set_frozen(dir, true, Instant::now() + STATE_TIMEOUT)
    }

    /// Thaws the group, and returns once the kernel reports it thawed.
    ///
    /// Fails like [`Cgroup::freeze`], and with [`Error::Busy`] (v1) or [`Error::TimedOut`] (v2)
    /// when a frozen ancestor keeps it frozen.
    pub fn thaw(&self) -> Result<()> {
        let dir = self.dir(Controller::Freezer)?;
        set_frozen(dir, false, Instant::now() + STATE_TIMEOUT)
    }

    /// Whether the kernel reports the group frozen (also when an ancestor froze it). A group
    /// still freezing is not frozen yet.
    ///
    /// Fails with [`Error::ControllerUnavailable`], [`Error::Unsupported`] and
    /// [`Error::NotFound`].
    pub fn frozen(&self) -> Result<bool> {
        is_frozen(self.dir(Controller::Freezer)?)
    }
}
