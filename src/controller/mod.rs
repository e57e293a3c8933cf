// SPDX-License-Identifier: MIT OR Apache-2.0
//! The controls of each controller, v1 and v2 side by side in one file per controller: which
//! files, which values, and the [`crate::Cgroup`] methods that set and read them. Each method asks
//! the group for the directory of the hierarchy serving its controller and works on it.

pub(crate) mod cpu;
pub(crate) mod cpuset;
pub(crate) mod freezer;
pub(crate) mod io;
pub(crate) mod memory;
pub(crate) mod pids;
