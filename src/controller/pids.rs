// SPDX-License-Identifier: MIT OR Apache-2.0
//! The number of processes (and threads) a group may hold: `pids.max` on v1 and v2, `max` for
//! no limit. The kernel counts tasks, so a limit also caps threads.

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::layout::Controller;

/// The largest limit the kernel accepts: `PID_MAX_LIMIT` on 64-bit kernels (2^22); the pid
/// space never holds more.
pub(crate) const MAX_PIDS_LIMIT: u64 = 1 << 22;

/// Checks a limit against what the kernel accepts.
fn check_limit(max: u64) -> Result<()> {
    if max > MAX_PIDS_LIMIT {
        return Err(Error::InvalidArgument(format!(
            "pids limit {max} is above the kernel's maximum of {MAX_PIDS_LIMIT} (reset the limit \
             for none)"
        )));
    }
    Ok(())
}

/// Parses `pids.max`: `Ok(None)` means no limit.
fn parse_limit(text: &str) -> Result<Option<u64>> {
    match text.trim() {
        "max" => Ok(None),
        value => value
            .parse()
            .map(Some)
            .map_err(|_| Error::Unsupported(format!("unexpected pids.max content {text:?}"))),
    }
}

impl Cgroup {
    /// Limits the number of tasks (processes and threads) in the group and its descendants to
    /// `max`; 0 is allowed (no new process can start). A fork that would exceed it fails with
    /// EAGAIN. Tasks already there stay.
    ///
    /// Fails with [`Error::InvalidArgument`] above 2^22 (the kernel's pid space; nothing is
    /// written), [`Error::ControllerUnavailable`] when the group was opened without pids, and
    /// [`Error::NotFound`] when it was deleted.
    pub fn set_pids_limit(&self, max: u64) -> Result<()> {
        check_limit(max)?;
        self.dir(Controller::Pids)?
            .write("pids.max", max.to_string().as_bytes())
    }

    /// Removes the limit on the number of tasks.
    ///
    /// Fails with [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn reset_pids_limit(&self) -> Result<()> {
        self.dir(Controller::Pids)?.write("pids.max", b"max")
    }

    /// Reads the limit on the number of tasks; `None` means none.
    ///
    /// Fails with [`Error::ControllerUnavailable`], [`Error::NotFound`] and
    /// [`Error::Unsupported`].
    pub fn pids_limit(&self) -> Result<Option<u64>> {
        parse_limit(&self.dir(Controller::Pids)?.read_text("pids.max")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_up_to_the_pid_space_are_accepted_zero_included() {
        assert!(check_limit(0).is_ok());
        assert!(check_limit(MAX_PIDS_LIMIT).is_ok());
        assert!(check_limit(MAX_PIDS_LIMIT + 1).is_err());
        assert!(check_limit(u64::MAX).is_err());
    }

    #[test]
    fn max_reads_as_no_limit() {
        assert_eq!(parse_limit("max\n").unwrap(), None);
        assert_eq!(parse_limit("32\n").unwrap(), Some(32));
        assert!(parse_limit("-3\n").is_err());
    }
}
