// SPDX-License-Identifier: MIT OR Apache-2.0
//! Events of a group through one pollable descriptor, the same on every layout: the last
//! process left (EMPTY), the OOM killer ran (OOM), `memory.high` was exceeded (MEMORY_HIGH), a
//! fork was refused by `pids.max` (PIDS_MAX), a freeze completed (FROZEN).
//!
//! Which file tells each event, per layout:
//!
//! | event       | v2 (and groups with a cgroup2 directory) | v1                                  |
//! |-------------|-------------------------------------------|-------------------------------------|
//! | EMPTY       | `cgroup.events` `populated` (inotify)     | `cgroup.procs` of the group and its children (timer) |
//! | OOM         | `memory.events` `oom`, `oom_kill` (inotify) | eventfd on `memory.oom_control`   |
//! | MEMORY_HIGH | `memory.events` `high` (inotify)          | unsupported (no `memory.high`)      |
//! | PIDS_MAX    | `pids.events` `max` (inotify)             | `pids.events` `max` (timer)         |
//! | FROZEN      | `cgroup.events` `frozen` (inotify)        | `freezer.state` (timer)             |
//!
//! The timer wakes every 100 ms. Counters are compared with the last values read, so one
//! event that happened is reported once however often the descriptor wakes.

mod checks;
mod v1;
mod wakeups;

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use checks::{CoreEventsCheck, Counters, KeptFile};
use wakeups::Wakeups;

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::layout::{Controller, Version};
use crate::sys;

/// A set of events of a group. The bits are the C API's `CGROUPS_EVENT_*` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Events(u32);

impl Events {
    /// Nothing.
    pub const NONE: Events = Events(0);
    /// The last process of the group (and of its child groups) left or exited.
    pub const EMPTY: Events = Events(1);
    /// The OOM killer ran in the group.
    pub const OOM: Events = Events(2);
    /// The group's memory went over `memory.high` (v2).
    pub const MEMORY_HIGH: Events = Events(4);
    /// A fork in the group was refused because of `pids.max`.
    pub const PIDS_MAX: Events = Events(8);
    /// A freeze of the group completed.
    pub const FROZEN: Events = Events(16);
    /// Every event.
    pub const ALL: Events = Events(31);
}

crate::flag_set::flag_set_ops!(Events, u32, "event");

/// What wakes a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    /// inotify reported a watched file changed.
    File,
    /// The v1 OOM eventfd was signalled.
    Oom,
    /// The timer.
    Timer,
}

/// A check and the file or state it compares.
#[derive(Debug)]
enum Check {
    Core(CoreEventsCheck),
    Counters(Counters),
    Populated(v1::Populated),
    Freezer(v1::FreezerState),
}

/// A watch on a group's events: poll its descriptor ([`AsFd`]) for readability, then
/// [`Watch::read`] what fired; or block in [`Watch::wait`]. Made by [`Cgroup::watch`]; it
/// holds its own descriptors and stays valid after the group handle is dropped.
///
/// EMPTY and FROZEN are states: each is reported when the group is found in it after being
/// seen out of it. The other events are counters that grew. At its first read a watch reports
/// what is already so — the group empty or frozen, an OOM, `memory.high` or `pids.max` event
/// its counters hold (a new group holds none) — so that nothing that happened before the watch
/// was made is missed. Make the watch once the job's first process is in the group.
#[derive(Debug)]
pub struct Watch {
    wanted: Events,
    wakeups: Wakeups,
    checks: Vec<(Wake, Check)>,
    /// Reported at the next read.
    pending: Events,
    /// The group's first directory, to tell a removed group when nothing woke the watch.
    dir: OwnedFd,
    /// Its path, for messages.
    path: PathBuf,
}

impl AsFd for Watch {
    /// The descriptor to poll: readable (`POLLIN`) when an event may have fired.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.wakeups.fd()
    }
}

impl Watch {
    /// The events that fired since the last read, without blocking; [`Events::NONE`] when none
    /// did.
    ///
    /// Fails with [`Error::NotFound`] once the group was removed.
    pub fn read(&mut self) -> Result<Events> {
        let woken = self
            .wakeups
            .drain()
            .map_err(|e| Error::from_io("wait for events of", &self.path, e))?;
        let mut fired = std::mem::take(&mut self.pending);
        let mut checked = false;
        // The kernel rate-limits each file's notifications on its own (one per 10 ms, the
        // rest delayed), so an OOM can be notified after the EMPTY it caused: when one watched
        // file changed, every watched file is read, and one read tells both.
        for (wake, check) in &mut self.checks {
            let due = match wake {
                Wake::File => woken.files,
                Wake::Oom => woken.oom,
                Wake::Timer => woken.timer,
            };
            if !due {
                continue;
            }
            checked = true;
            fired |= match check {
                Check::Core(check) => check.check()?,
                Check::Counters(check) => check.check()?,
                Check::Populated(check) => check.check()?,
                Check::Freezer(check) => check.check()?,
            };
            // The kernel signals the v1 eventfd for each OOM, also one that killed nothing
            // (the OOM killer disabled); it signals it when the group is removed too, and the
            // check above has failed then.
            if *wake == Wake::Oom {
                fired |= Events::OOM;
            }
        }
        // A check reads the group's files, which tells a removed group; otherwise ask.
        if !checked && !sys::exists_at(self.dir.as_fd(), "cgroup.procs").unwrap_or(true) {
            return Err(Error::NotFound {
                path: self.path.clone(),
            });
        }
        Ok(fired.intersection(self.wanted))
    }

    /// Waits until an event fires or `timeout` passes (`None`: forever), and returns what
    /// fired ([`Events::NONE`] on timeout).
    ///
    /// Fails like [`Watch::read`].
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Events> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let fired = self.read()?;
            if !fired.is_empty() {
                return Ok(fired);
            }
            let left = match deadline {
                None => None,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(Events::NONE);
                    }
                    Some(left)
                }
            };
            self.wakeups
                .wait(left)
                .map_err(|e| Error::from_io("wait for events of", &self.path, e))?;
        }
    }

    fn add(&mut self, wake: Wake, check: Check) -> Result<()> {
        if wake == Wake::Timer {
            self.wakeups.start_timer().map_err(|e| self.os_error(e))?;
        }
        self.checks.push((wake, check));
        Ok(())
    }

    /// Opens `file` of `dir` and watches it with inotify (before its first read, so that no
    /// change between the two is lost).
    fn watched(&mut self, dir: &GroupDir, file: &'static str) -> Result<(Wake, KeptFile)> {
        let kept = v1::kept(dir, file)?;
        self.wakeups
            .watch_file(kept.fd.as_fd())
            .map_err(|e| Error::from_io("watch", &kept.path, e))?;
        Ok((Wake::File, kept))
    }

    fn os_error(&self, e: std::io::Error) -> Error {
        Error::from_io("watch", &self.path, e)
    }
}

/// The counters of `memory.events` and the events their growth means.
const MEMORY_EVENTS: &[(&str, Events)] = &[
    ("oom", Events::OOM),
    ("oom_kill", Events::OOM),
    ("high", Events::MEMORY_HIGH),
];
/// The v1 OOM kill counter of `memory.oom_control`.
const OOM_CONTROL: &[(&str, Events)] = &[("oom_kill", Events::OOM)];
/// The counter of `pids.events`.
const PIDS_EVENTS: &[(&str, Events)] = &[("max", Events::PIDS_MAX)];

impl Cgroup {
    /// The directory telling FROZEN: the freezer's, or the cgroup2 directory where the cgroup2
    /// tree serves the freezer (every v2 group has `cgroup.freeze`).
    fn freezer_dir(&self) -> Result<&GroupDir> {
        self.dir(Controller::Freezer).or_else(|err| {
            self.unified_dir()
                .filter(|d| {
                    d.subtree()
                        .hierarchy()
                        .controllers
                        .contains(Controller::Freezer)
                })
                .ok_or(err)
        })
    }

    /// Watches the group for `events`. See the table in this module's documentation for the
    /// file behind each event on each layout.
    ///
    /// Fails with [`Error::InvalidArgument`] for an empty set, [`Error::ControllerUnavailable`]
    /// for OOM or MEMORY_HIGH without the memory controller, PIDS_MAX without pids, FROZEN
    /// without the freezer; [`Error::Unsupported`] for MEMORY_HIGH on v1 and FROZEN on a v2
    /// kernel without it (before 5.2); [`Error::NotFound`] when the group was removed.
    pub fn watch(&self, events: Events) -> Result<Watch> {
        if events.is_empty() {
            return Err(Error::InvalidArgument("no event to watch".into()));
        }
        let first = self.dirs().first().ok_or_else(|| Error::NotFound {
            path: self.name().into(),
        })?;
        let path = first.path().to_path_buf();
        let dir = sys::reopen_dir(first.fd()).map_err(|e| Error::from_io("open", &path, e))?;
        let wakeups = Wakeups::new().map_err(|e| Error::from_io("watch", &path, e))?;
        let mut watch = Watch {
            wanted: events,
            wakeups,
            checks: Vec::new(),
            pending: Events::NONE,
            dir,
            path,
        };
        let frozen_dir = if events.contains(Events::FROZEN) {
            Some(self.freezer_dir()?)
        } else {
            None
        };
        let core = self.unified_dir().filter(|_| {
            events.contains(Events::EMPTY) || frozen_dir.is_some_and(|d| d.version() == Version::V2)
        });
        if let Some(dir) = core {
            let (wake, file) = watch.watched(dir, "cgroup.events")?;
            let (check, initial) = CoreEventsCheck::new(file)?;
            if events.contains(Events::FROZEN) && !check.knows_frozen() {
                return Err(Error::Unsupported(format!(
                    "{} has no \"frozen\" in cgroup.events: the cgroup v2 freezer needs Linux 5.2",
                    dir.path().display()
                )));
            }
            watch.pending |= initial;
            watch.add(wake, Check::Core(check))?;
        }
        if events.contains(Events::EMPTY) && core.is_none() {
            let v1_dirs = self.v1_dirs();
            let (check, initial) = v1::Populated::new(v1_dirs)?;
            watch.pending |= initial;
            watch.add(Wake::Timer, Check::Populated(check))?;
        }
        if let Some(dir) = frozen_dir.filter(|d| d.version() == Version::V1) {
            let (check, initial) = v1::FreezerState::new(dir)?;
            watch.pending |= initial;
            watch.add(Wake::Timer, Check::Freezer(check))?;
        }
        if events.intersects(Events::OOM | Events::MEMORY_HIGH) {
            let dir = self.dir(Controller::Memory)?;
            match dir.version() {
                Version::V2 => {
                    let (wake, file) = watch.watched(dir, "memory.events")?;
                    let (check, initial) = Counters::new(file, MEMORY_EVENTS)?;
                    watch.pending |= initial;
                    watch.add(wake, Check::Counters(check))?;
                }
                Version::V1 if events.contains(Events::MEMORY_HIGH) => {
                    return Err(Error::Unsupported(format!(
                        "{}: cgroup v1 memory has no memory.high, so MEMORY_HIGH cannot fire",
                        dir.path().display()
                    )))
                }
                Version::V1 => {
                    let path = &watch.path;
                    let eventfd = watch
                        .wakeups
                        .oom_eventfd()
                        .map_err(|e| Error::from_io("watch", path, e))?;
                    let file = v1::register_oom(dir, eventfd)?;
                    let (check, initial) = Counters::new(file, OOM_CONTROL)?;
                    watch.pending |= initial;
                    watch.add(Wake::Oom, Check::Counters(check))?;
                }
            }
        }
        if events.contains(Events::PIDS_MAX) {
            let dir = self.dir(Controller::Pids)?;
            let (wake, file) = match dir.version() {
                Version::V2 => watch.watched(dir, "pids.events")?,
                Version::V1 => (Wake::Timer, v1::kept(dir, "pids.events")?),
            };
            let (check, initial) = Counters::new(file, PIDS_EVENTS)?;
            watch.pending |= initial;
            watch.add(wake, Check::Counters(check))?;
        }
        watch.pending = watch.pending.intersection(events);
        if !watch.pending.is_empty() {
            watch.wakeups.set_pending().map_err(|e| watch.os_error(e))?;
        }
        Ok(watch)
    }
}
