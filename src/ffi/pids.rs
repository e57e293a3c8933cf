// SPDX-License-Identifier: MIT OR Apache-2.0
//! The limit on the number of tasks (pids.max).

use std::ffi::c_int;

use super::args::{required_ref, Out};
use super::constants::CGROUPS_UNLIMITED;
use super::group::cgroups_cgroup;
use super::guard::guard;

/// Limits the number of tasks (processes and threads) in the group and its descendants to
/// `max`; 0 is allowed (no new process can start). A fork beyond it fails with EAGAIN.
/// CGROUPS_E_INVALID_ARGUMENT above 4194304 (the kernel's pid space; use
/// cgroups_reset_pids_limit() for none).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_pids_limit(cg: *const cgroups_cgroup, max: u64) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.set_pids_limit(max)?))
}

/// Removes the limit on the number of tasks.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_reset_pids_limit(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_pids_limit()?))
}

/// Reads the limit on the number of tasks into `*max_out`; CGROUPS_UNLIMITED when there is
/// none.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_pids_limit(cg: *const cgroups_cgroup, max_out: *mut u64) -> c_int {
    guard(|| {
        let out = Out::new(max_out, "max_out")?;
        let max = required_ref(cg, "cg")?.0.pids_limit()?;
        out.write(max.unwrap_or(CGROUPS_UNLIMITED));
        Ok(())
    })
}
