// SPDX-License-Identifier: MIT OR Apache-2.0
//! The memory limit, the throttling threshold (memory.high) and the swap limit.

use std::ffi::c_int;

use super::args::{required_ref, Out};
use super::constants::{
    cgroups_unit, CGROUPS_BYTES, CGROUPS_GIGABYTES, CGROUPS_KILOBYTES, CGROUPS_MEGABYTES,
    CGROUPS_UNLIMITED,
};
use super::group::cgroups_cgroup;
use super::guard::{guard, Failure};
use crate::{Cgroup, Unit};

/// The Rust unit of a `cgroups_unit`.
pub(crate) fn unit(unit: cgroups_unit) -> Result<Unit, Failure> {
    match unit {
        CGROUPS_BYTES => Ok(Unit::Bytes),
        CGROUPS_KILOBYTES => Ok(Unit::Kilobytes),
        CGROUPS_MEGABYTES => Ok(Unit::Megabytes),
        CGROUPS_GIGABYTES => Ok(Unit::Gigabytes),
        other => Err(Failure::invalid(format!(
            "unit {other} is not a cgroups_unit"
        ))),
    }
}

/// Limits the group's memory to `limit` units (CGROUPS_BYTES … CGROUPS_GIGABYTES, ×1024 steps;
/// the kernel rounds down to whole pages). CGROUPS_E_INVALID_ARGUMENT for less than one page (0
/// included), an overflowing size or an unknown unit; CGROUPS_E_BUSY when (v1) the limit is below
/// current usage and reclaim failed. On v2 a limit below usage reclaims, and the OOM killer may
/// kill members of the group.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_memory_limit(
    cg: *const cgroups_cgroup,
    limit: u64,
    unit: cgroups_unit,
) -> c_int {
    set_bytes(cg, limit, unit, Cgroup::set_memory_limit)
}

/// Removes the memory limit.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_reset_memory_limit(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_memory_limit()?))
}

/// Reads the memory limit in bytes into `*bytes_out`; CGROUPS_UNLIMITED when there is none.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_memory_limit(cg: *const cgroups_cgroup, bytes_out: *mut u64) -> c_int {
    read_bytes(cg, bytes_out, Cgroup::memory_limit_bytes)
}

/// Sets the throttling threshold (v2 memory.high): above it the group is slowed down and
/// reclaimed hard, never OOM-killed for it. CGROUPS_E_INVALID_ARGUMENT for less than one page
/// (0 included), an overflowing size or an unknown unit; CGROUPS_E_UNSUPPORTED on cgroup v1,
/// which has no such threshold.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_memory_high(
    cg: *const cgroups_cgroup,
    limit: u64,
    unit: cgroups_unit,
) -> c_int {
    set_bytes(cg, limit, unit, Cgroup::set_memory_high)
}

/// Removes the throttling threshold. CGROUPS_E_UNSUPPORTED on cgroup v1.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_reset_memory_high(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_memory_high()?))
}

/// Reads the throttling threshold in bytes into `*bytes_out`; CGROUPS_UNLIMITED when there is
/// none. CGROUPS_E_UNSUPPORTED on cgroup v1.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_memory_high(cg: *const cgroups_cgroup, bytes_out: *mut u64) -> c_int {
    read_bytes(cg, bytes_out, Cgroup::memory_high_bytes)
}

/// Limits the swap the group may use on top of its memory to `limit` units (0: no swap):
/// v2 memory.swap.max; v1 memory.memsw.limit_in_bytes = the memory limit + `limit`, so on v1
/// the group needs a memory limit first (CGROUPS_E_INVALID_ARGUMENT otherwise), and changing
/// the memory limit later keeps the swap amount. CGROUPS_E_UNSUPPORTED when the kernel does not
/// account swap; CGROUPS_E_BUSY (v1) when usage is above the new limit.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_swap_limit(
    cg: *const cgroups_cgroup,
    limit: u64,
    unit: cgroups_unit,
) -> c_int {
    set_bytes(cg, limit, unit, Cgroup::set_swap_limit)
}

/// Removes the swap limit. CGROUPS_E_UNSUPPORTED when the kernel does not account swap.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_reset_swap_limit(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_swap_limit()?))
}

/// Reads the swap limit in bytes into `*bytes_out`; CGROUPS_UNLIMITED when there is none (on
/// v1 also while the group has no memory limit). CGROUPS_E_UNSUPPORTED when the kernel does not
/// account swap.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_swap_limit(cg: *const cgroups_cgroup, bytes_out: *mut u64) -> c_int {
    read_bytes(cg, bytes_out, Cgroup::swap_limit_bytes)
}

/// Runs a setter of the group with `limit` in `unit`, checking both first.
fn set_bytes(
    cg: *const cgroups_cgroup,
    limit: u64,
    unit: cgroups_unit,
    set: impl FnOnce(&Cgroup, u64, Unit) -> crate::Result<()>,
) -> c_int {
    guard(|| {
        let cg = required_ref(cg, "cg")?;
        Ok(set(&cg.0, limit, self::unit(unit)?)?)
    })
}

/// Writes what a getter of the group reads into `*bytes_out`, CGROUPS_UNLIMITED for none.
fn read_bytes(
    cg: *const cgroups_cgroup,
    bytes_out: *mut u64,
    read: impl FnOnce(&Cgroup) -> crate::Result<Option<u64>>,
) -> c_int {
    guard(|| {
        let out = Out::new(bytes_out, "bytes_out")?;
        let bytes = read(&required_ref(cg, "cg")?.0)?;
        out.write(bytes.unwrap_or(CGROUPS_UNLIMITED));
        Ok(())
    })
}
