// SPDX-License-Identifier: MIT OR Apache-2.0
//! The controllers this library manages, as a bit set, with their names in v1 and v2.

use std::fmt;

/// One controller the library knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Controller {
    /// CPU weight/shares (`cpu`).
    Cpu,
    /// Memory limit (`memory`).
    Memory,
    /// Process-number limit (`pids`).
    Pids,
    /// CPU and memory-node placement (`cpuset`).
    Cpuset,
    /// Block I/O (`io` on v2, `blkio` on v1).
    Io,
    /// Freezing (`freezer` on v1; built into every v2 group).
    Freezer,
}

impl Controller {
    /// Every controller, in bit order.
    pub const ALL: &'static [Controller] = &[
        Controller::Cpu,
        Controller::Memory,
        Controller::Pids,
        Controller::Cpuset,
        Controller::Io,
        Controller::Freezer,
    ];

    /// The bit of this controller in a [`Controllers`] set (and in the C `CGROUPS_*` constants).
    pub const fn bit(self) -> u32 {
        1 << self as u32
    }

    /// The name in a v1 mount's options and in `/proc/<pid>/cgroup`.
    pub const fn v1_name(self) -> &'static str {
        match self {
            Controller::Cpu => "cpu",
            Controller::Memory => "memory",
            Controller::Pids => "pids",
            Controller::Cpuset => "cpuset",
            Controller::Io => "blkio",
            Controller::Freezer => "freezer",
        }
    }

    /// The name in v2's `cgroup.controllers`/`cgroup.subtree_control`, or `None` for the freezer,
    /// which v2 builds into every group (`cgroup.freeze`).
    pub const fn v2_name(self) -> Option<&'static str> {
        match self {
            Controller::Cpu => Some("cpu"),
            Controller::Memory => Some("memory"),
            Controller::Pids => Some("pids"),
            Controller::Cpuset => Some("cpuset"),
            Controller::Io => Some("io"),
            Controller::Freezer => None,
        }
    }

    /// The controller whose v1 name (mount option, `/proc/<pid>/cgroup` entry) is `name`.
    pub fn from_v1_name(name: &str) -> Option<Controller> {
        Controller::ALL
            .iter()
            .copied()
            .find(|c| c.v1_name() == name)
    }

    /// The controller whose v2 name (`cgroup.controllers` entry) is `name`.
    pub fn from_v2_name(name: &str) -> Option<Controller> {
        Controller::ALL
            .iter()
            .copied()
            .find(|c| c.v2_name() == Some(name))
    }

    /// A name for messages (the v2 name, or `freezer`).
    pub const fn name(self) -> &'static str {
        match self.v2_name() {
            Some(name) => name,
            None => "freezer",
        }
    }
}

impl fmt::Display for Controller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of controllers (the bits are the C API's `CGROUPS_*` controller constants).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Controllers(u32);

impl Controllers {
    /// No controller.
    pub const NONE: Controllers = Controllers(0);
    /// Every controller this library knows.
    pub const KNOWN: Controllers = Controllers((1 << Controller::ALL.len()) - 1);

    /// The set with the given bits; `None` if a bit names no known controller.
    #[must_use]
    pub const fn from_bits(bits: u32) -> Option<Controllers> {
        if bits & !Controllers::KNOWN.0 != 0 {
            None
        } else {
            Some(Controllers(bits))
        }
    }

    /// The bits of this set.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether `controller` is in the set.
    pub const fn contains(self, controller: Controller) -> bool {
        self.0 & controller.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set with `controller` added.
    pub const fn with(self, controller: Controller) -> Controllers {
        Controllers(self.0 | controller.bit())
    }

    /// The controllers in both sets.
    pub const fn intersection(self, other: Controllers) -> Controllers {
        Controllers(self.0 & other.0)
    }

    /// The controllers of `self` that are not in `other`.
    pub const fn difference(self, other: Controllers) -> Controllers {
        Controllers(self.0 & !other.0)
    }

    /// The controllers in either set.
    pub const fn union(self, other: Controllers) -> Controllers {
        Controllers(self.0 | other.0)
    }

    /// The controllers of the set, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Controller> {
        Controller::ALL
            .iter()
            .copied()
            .filter(move |&c| self.contains(c))
    }
}

impl Controllers {
    /// Parses a v2 controller list (`cgroup.controllers`, `cgroup.subtree_control`) into the
    /// known controllers it names; unknown names (hugetlb, rdma, misc, ...) are ignored.
    pub fn from_v2_list(text: &[u8]) -> Controllers {
        text.split(|b| b.is_ascii_whitespace())
            .filter_map(|token| Controller::from_v2_name(std::str::from_utf8(token).ok()?))
            .collect()
    }
}

impl From<Controller> for Controllers {
    fn from(controller: Controller) -> Controllers {
        Controllers(controller.bit())
    }
}

impl FromIterator<Controller> for Controllers {
    fn from_iter<I: IntoIterator<Item = Controller>>(iter: I) -> Controllers {
        iter.into_iter().fold(Controllers::NONE, Controllers::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_match_the_documented_c_constants() {
        assert_eq!(Controller::Cpu.bit(), 1);
        assert_eq!(Controller::Memory.bit(), 2);
        assert_eq!(Controller::Freezer.bit(), 32);
        assert_eq!(Controllers::KNOWN.bits(), 63);
    }

    #[test]
    fn unknown_bits_are_rejected() {
        assert!(Controllers::from_bits(64).is_none());
        assert_eq!(
            Controllers::from_bits(3)
                .unwrap()
                .iter()
                .collect::<Vec<_>>(),
            [Controller::Cpu, Controller::Memory]
        );
    }

    #[test]
    fn names_map_back_to_controllers() {
        assert_eq!(Controller::from_v1_name("blkio"), Some(Controller::Io));
        assert_eq!(Controller::from_v2_name("io"), Some(Controller::Io));
        assert_eq!(Controller::from_v2_name("freezer"), None);
        assert_eq!(Controller::from_v1_name("name=systemd"), None);
    }

    #[test]
    fn v2_controller_lists_keep_known_controllers() {
        let set = Controllers::from_v2_list(b"cpuset cpu io memory hugetlb pids rdma misc\n");
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [
                Controller::Cpu,
                Controller::Memory,
                Controller::Pids,
                Controller::Cpuset,
                Controller::Io
            ]
        );
        assert!(Controllers::from_v2_list(b"").is_empty());
    }
}
