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
}
