// SPDX-License-Identifier: MIT OR Apache-2.0
//! The checks a watch runs when woken: each reads one file (or, for v1 emptiness, the
//! `cgroup.procs` of each hierarchy) through a descriptor kept open, and compares it with what
//! it saw last, so that one event that happened is reported once however often the watch is
//! woken.

use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;

use super::Events;
use crate::error::{Error, Result};
use crate::group_dir::CoreEvents;
use crate::keyed;
use crate::sys;

/// A file kept open for reading again.
#[derive(Debug)]
pub(super) struct KeptFile {
    pub fd: OwnedFd,
    pub path: PathBuf,
}

impl KeptFile {
    /// The file's current content (one `pread`). A removed group's files read ENODEV, which
    /// is [`Error::NotFound`].
    pub(super) fn read(&self) -> Result<Vec<u8>> {
        sys::pread_to_end(self.fd.as_fd(), sys::Records::One)
            .map_err(|e| Error::from_io("read", &self.path, e))
    }
}

/// Counters of a flat keyed file (`memory.events`, `pids.events`, v1 `memory.oom_control`):
/// an event fires when its counter grew.
#[derive(Debug)]
pub(super) struct Counters {
    pub file: KeptFile,
    /// The counters and the event each one's growth means.
    keys: &'static [(&'static str, Events)],
    last: Vec<u64>,
}

impl Counters {
    /// Starts from zero: the events the counters already hold (none in a fresh group) are
    /// returned, to be reported at the first read.
    pub(super) fn new(
        file: KeptFile,
        keys: &'static [(&'static str, Events)],
    ) -> Result<(Counters, Events)> {
        let text = file.read()?;
        let mut counters = Counters {
            file,
            keys,
            last: vec![0; keys.len()],
        };
        let initial = counters.update(&text);
        Ok((counters, initial))
    }

    /// The events whose counters grew since the last check.
    pub(super) fn check(&mut self) -> Result<Events> {
        let text = self.file.read()?;
        Ok(self.update(&text))
    }

    /// Compares the counters in `text` with the last ones. A counter the file lacks (or that
    /// a truncated line hides) keeps its last value.
    fn update(&mut self, text: &[u8]) -> Events {
        let mut fired = Events::NONE;
        for ((key, event), last) in self.keys.iter().zip(&mut self.last) {
            let value = keyed::flat_value(text, key).unwrap_or(*last);
            if value > *last {
                fired |= *event;
            }
            *last = value;
        }
        fired
    }
}

/// A state seen at each check: an event fires when it turns from `false` to `true` (EMPTY: no
/// process left; FROZEN: frozen).
#[derive(Clone, Copy, Debug)]
pub(super) struct Edge {
    pub event: Events,
    pub last: bool,
}

impl Edge {
    /// The event if `now` is a rising edge.
    pub(super) fn update(&mut self, now: bool) -> Events {
        let fired = now && !self.last;
        self.last = now;
        if fired {
            self.event
        } else {
            Events::NONE
        }
    }
}

/// v2 `cgroup.events`: EMPTY when `populated` turns 0, FROZEN when `frozen` turns 1.
#[derive(Debug)]
pub(super) struct CoreEventsCheck {
    pub file: KeptFile,
    empty: Edge,
    frozen: Edge,
    /// Whether the kernel reports `frozen` (Linux 5.2+).
    knows_frozen: bool,
}

impl CoreEventsCheck {
    /// Reads the current state; the events already true now are returned, to be reported at
    /// the first read.
    pub(super) fn new(file: KeptFile) -> Result<(CoreEventsCheck, Events)> {
        let now = CoreEvents::parse(&file.read()?);
        let mut check = CoreEventsCheck {
            knows_frozen: now.frozen.is_some(),
            file,
            empty: Edge {
                event: Events::EMPTY,
                last: false,
            },
            frozen: Edge {
                event: Events::FROZEN,
                last: false,
            },
        };
        let initial = check.apply(now);
        Ok((check, initial))
    }

    /// Whether the kernel reports the frozen state here.
    pub(super) fn knows_frozen(&self) -> bool {
        self.knows_frozen
    }

    fn apply(&mut self, now: CoreEvents) -> Events {
        self.empty.update(!now.populated) | self.frozen.update(now.frozen == Some(true))
    }

    /// The events that happened since the last check.
    pub(super) fn check(&mut self) -> Result<Events> {
        let now = CoreEvents::parse(&self.file.read()?);
        Ok(self.apply(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMORY_EVENTS: &[(&str, Events)] = &[
        ("oom", Events::OOM),
        ("oom_kill", Events::OOM),
        ("high", Events::MEMORY_HIGH),
    ];

    fn counters(keys: &'static [(&'static str, Events)]) -> Counters {
        let fd = sys::open_dir_path(std::path::Path::new("/")).unwrap();
        Counters {
            file: KeptFile {
                fd,
                path: PathBuf::new(),
            },
            keys,
            last: vec![0; keys.len()],
        }
    }

    #[test]
    fn a_counter_that_grew_fires_its_event_once() {
        let killed = include_bytes!("../../tests/fixtures/v2-6.1/memory.events.killed");
        let mut memory = counters(MEMORY_EVENTS);
        assert_eq!(memory.update(killed), Events::OOM | Events::MEMORY_HIGH);
        assert_eq!(memory.update(killed), Events::NONE, "nothing new happened");
        let more_high = b"low 0\nhigh 35\nmax 53\noom 2\noom_kill 1\noom_group_kill 0\n";
        assert_eq!(memory.update(more_high), Events::MEMORY_HIGH);
    }

    #[test]
    fn a_counter_missing_or_cut_keeps_its_last_value() {
        let mut memory = counters(MEMORY_EVENTS);
        assert_eq!(
            memory.update(b"oom 1\noom_kill 1\nhigh 4\n"),
            Events::OOM | Events::MEMORY_HIGH
        );
        assert_eq!(memory.update(b"oom 1\noom_kill 1\nhig"), Events::NONE);
        assert_eq!(memory.update(b"oom 1\noom_kill 1\nhigh 4\n"), Events::NONE);
        let mut pids = counters(&[("max", Events::PIDS_MAX)]);
        let v1 = include_bytes!("../../tests/fixtures/v1-6.18/pids.events.max_hit");
        assert_eq!(pids.update(v1), Events::PIDS_MAX);
        assert_eq!(pids.update(b"future_key 3\n"), Events::NONE);
    }

    #[test]
    fn an_edge_fires_once_per_rise() {
        let mut edge = Edge {
            event: Events::EMPTY,
            last: false,
        };
        assert_eq!(edge.update(true), Events::EMPTY);
        assert_eq!(edge.update(true), Events::NONE);
        assert_eq!(edge.update(false), Events::NONE);
        assert_eq!(edge.update(true), Events::EMPTY);
    }
}
