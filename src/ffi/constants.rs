// SPDX-License-Identifier: MIT OR Apache-2.0
//! Constants of the C API: controller bits, memory units and "no limit".

/// The CPU controller (share in percent).
pub const CGROUPS_CPU: u32 = 1;
/// The memory controller (limit in bytes).
pub const CGROUPS_MEMORY: u32 = 2;
/// The pids controller.
pub const CGROUPS_PIDS: u32 = 4;
/// The cpuset controller.
pub const CGROUPS_CPUSET: u32 = 8;
/// The io controller (blkio on v1).
pub const CGROUPS_IO: u32 = 16;
/// The freezer (v1 controller; built into v2).
pub const CGROUPS_FREEZER: u32 = 32;
/// Every supported controller the host offers; an existing group is loaded where it exists.
pub const CGROUPS_ALL: u32 = 0xFFFF_FFFF;

/// Unit of a memory limit (one of the CGROUPS_BYTES … CGROUPS_GIGABYTES values). Other values
/// are refused with CGROUPS_E_INVALID_ARGUMENT.
#[allow(non_camel_case_types)]
pub type cgroups_unit = u32;
/// Bytes.
pub const CGROUPS_BYTES: cgroups_unit = 0;
/// Kilobytes (1024 bytes).
pub const CGROUPS_KILOBYTES: cgroups_unit = 1;
/// Megabytes (1024² bytes).
pub const CGROUPS_MEGABYTES: cgroups_unit = 2;
/// Gigabytes (1024³ bytes).
pub const CGROUPS_GIGABYTES: cgroups_unit = 3;

/// The memory limit reported for "no limit".
pub const CGROUPS_UNLIMITED: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/// cgroups_context_new_scope(): ask the system manager (PID 1; needs root or polkit).
pub const CGROUPS_SCOPE_SYSTEM: u32 = 1;
/// cgroups_context_new_scope(): ask the calling user's manager (user@UID.service).
pub const CGROUPS_SCOPE_USER: u32 = 2;
/// Statistics (`want` and `present` of cgroups_stats_read()): memory in use.
pub const CGROUPS_STAT_MEMORY_CURRENT: u64 = 1;
/// Highest memory use seen.
pub const CGROUPS_STAT_MEMORY_PEAK: u64 = 2;
/// Swap in use.
pub const CGROUPS_STAT_MEMORY_SWAP: u64 = 4;
/// Anonymous memory and page cache (memory.stat).
pub const CGROUPS_STAT_MEMORY_STAT: u64 = 8;
/// OOM events and kills, memory.high events.
pub const CGROUPS_STAT_MEMORY_EVENTS: u64 = 16;
/// CPU time: total, user, system.
pub const CGROUPS_STAT_CPU_USAGE: u64 = 32;
/// CPU cap periods, throttled periods and time.
pub const CGROUPS_STAT_CPU_THROTTLING: u64 = 64;
/// Processes, and forks refused by pids.max.
pub const CGROUPS_STAT_PIDS: u64 = 128;
/// Bytes and operations read and written, summed over devices.
pub const CGROUPS_STAT_IO: u64 = 256;
/// Every statistic.
pub const CGROUPS_STAT_ALL: u64 = 511;

/// Events (cgroups_watch_new()): the last process left or exited.
pub const CGROUPS_EVENT_EMPTY: u32 = 1;
/// The OOM killer ran in the group.
pub const CGROUPS_EVENT_OOM: u32 = 2;
/// memory.high was exceeded (cgroup v2).
pub const CGROUPS_EVENT_MEMORY_HIGH: u32 = 4;
/// A fork was refused by pids.max.
pub const CGROUPS_EVENT_PIDS_MAX: u32 = 8;
/// A freeze completed.
pub const CGROUPS_EVENT_FROZEN: u32 = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Controller;

    #[test]
    fn c_controller_bits_are_the_rust_bits() {
        let pairs = [
            (CGROUPS_CPU, Controller::Cpu),
            (CGROUPS_MEMORY, Controller::Memory),
            (CGROUPS_PIDS, Controller::Pids),
            (CGROUPS_CPUSET, Controller::Cpuset),
            (CGROUPS_IO, Controller::Io),
            (CGROUPS_FREEZER, Controller::Freezer),
        ];
        for (bit, controller) in pairs {
            assert_eq!(bit, controller.bit(), "{controller}");
        }
    }

    #[test]
    fn c_stat_and_event_bits_are_the_rust_bits() {
        use crate::{Events, StatKinds};
        let stats = [
            (CGROUPS_STAT_MEMORY_CURRENT, StatKinds::MEMORY_CURRENT),
            (CGROUPS_STAT_MEMORY_PEAK, StatKinds::MEMORY_PEAK),
            (CGROUPS_STAT_MEMORY_SWAP, StatKinds::MEMORY_SWAP),
            (CGROUPS_STAT_MEMORY_STAT, StatKinds::MEMORY_STAT),
            (CGROUPS_STAT_MEMORY_EVENTS, StatKinds::MEMORY_EVENTS),
            (CGROUPS_STAT_CPU_USAGE, StatKinds::CPU_USAGE),
            (CGROUPS_STAT_CPU_THROTTLING, StatKinds::CPU_THROTTLING),
            (CGROUPS_STAT_PIDS, StatKinds::PIDS),
            (CGROUPS_STAT_IO, StatKinds::IO),
            (CGROUPS_STAT_ALL, StatKinds::ALL),
        ];
        for (bit, kind) in stats {
            assert_eq!(bit, kind.bits());
        }
        let events = [
            (CGROUPS_EVENT_EMPTY, Events::EMPTY),
            (CGROUPS_EVENT_OOM, Events::OOM),
            (CGROUPS_EVENT_MEMORY_HIGH, Events::MEMORY_HIGH),
            (CGROUPS_EVENT_PIDS_MAX, Events::PIDS_MAX),
            (CGROUPS_EVENT_FROZEN, Events::FROZEN),
        ];
        for (bit, event) in events {
            assert_eq!(bit, event.bits());
        }
    }
}
