// SPDX-License-Identifier: MIT OR Apache-2.0
//! The cgroup2 core files every v2 group has, whatever its controllers: `cgroup.events`
//! (populated, frozen), and waiting for it to say something. Freezing, killing and pressure
//! build on the same directory.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;

use super::{is_missing, GroupDir};
use crate::error::{Error, Result};
use crate::keyed;
use crate::layout::Version;
use crate::sys;

/// The longest single wait between two reads of `cgroup.events`: a notification missed for
/// any reason costs at most this.
const REREAD_INTERVAL: Duration = Duration::from_millis(100);

/// What `cgroup.events` says of a v2 group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CoreEvents {
    /// Whether the group or a descendant has a live process.
    pub populated: bool,
    /// Whether the group is frozen (`None` before Linux 5.2, which has no freezer in v2).
    pub frozen: Option<bool>,
}

impl CoreEvents {
    /// Parses the content of `cgroup.events`.
    pub(crate) fn parse(text: &[u8]) -> CoreEvents {
        CoreEvents {
            populated: keyed::flat_value(text, "populated").is_some_and(|v| v != 0),
            frozen: keyed::flat_value(text, "frozen").map(|v| v != 0),
        }
    }
}

impl GroupDir {
    /// Reads `cgroup.events` of a v2 group.
    ///
    /// Fails with [`Error::Unsupported`] on a v1 hierarchy, [`Error::NotFound`] when the group was
    /// removed.
    pub(crate) fn core_events(&self) -> Result<CoreEvents> {
        if self.version() != Version::V2 {
            return Err(Error::Unsupported(format!(
                "{} is on a cgroup v1 hierarchy, which has no cgroup.events",
                self.path().display()
            )));
        }
        let text = self.read("cgroup.events")?;
        Ok(CoreEvents::parse(&text))
    }

    /// Waits until `cgroup.events` of a v2 group satisfies `done`, or until `deadline` (`None`:
    /// no deadline). Returns whether it did. The kernel notifies pollers of the file on each
    /// change, so this sleeps in `poll` rather than spinning.
    ///
    /// Fails like [`GroupDir::core_events`].
    pub(crate) fn wait_core_events(
        &self,
        done: impl Fn(&CoreEvents) -> bool,
        deadline: Option<Instant>,
    ) -> Result<bool> {
        self.core_events()?;
        let path = self.path().join("cgroup.events");
        let file = sys::open_file_at(self.fd(), "cgroup.events", OFlag::O_RDONLY).map_err(|e| {
            if is_missing(&e) {
                self.not_found()
            } else {
                Error::from_io("open", &path, e)
            }
        })?;
        loop {
            let text =
                sys::pread_to_end(file.as_fd(), sys::Records::One).map_err(
                    |e| match is_missing(&e) {
                        true => self.not_found(),
                        false => Error::from_io("read", &path, e),
                    },
                )?;
            if done(&CoreEvents::parse(&text)) {
                return Ok(true);
            }
            let wait = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(REREAD_INTERVAL),
                    _ => return Ok(false),
                },
                None => REREAD_INTERVAL,
            };
            sys::poll_priority(file.as_fd(), wait).map_err(|e| Error::from_io("poll", &path, e))?;
        }
    }
}
