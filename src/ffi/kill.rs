// SPDX-License-Identifier: MIT OR Apache-2.0
//! Signalling a group's processes and waiting for it to empty.

use std::ffi::c_int;
use std::time::Duration;

use super::args::required_ref;
use super::group::cgroups_cgroup;
use super::guard::{guard, Failure};

/// Sends `signal` to every process of the group and of its child groups, including ones forked
/// meanwhile: v2 SIGKILL through cgroup.kill (5.14+); otherwise freeze, signal each member,
/// thaw, repeated until no member is left unsignalled (the group is left thawed). Returns once
/// all were signalled; cgroups_wait_empty() waits for them to exit. CGROUPS_E_INVALID_ARGUMENT
/// for an invalid signal number; CGROUPS_E_CONTROLLER_UNAVAILABLE for a signal other than
/// SIGKILL on a v1 group opened without CGROUPS_FREEZER; CGROUPS_E_TIMED_OUT when processes keep
/// entering the group for 10 s. cgroups_delete() never kills.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_kill(cg: *const cgroups_cgroup, signal: c_int) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.kill(signal)?))
}

/// Waits until no process is left in the group or its child groups, for at most `timeout_ms`
/// milliseconds (0 checks once; -1 waits without limit). CGROUPS_E_TIMED_OUT when processes
/// are left at the time-out; CGROUPS_E_INVALID_ARGUMENT for a timeout below -1.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_wait_empty(cg: *const cgroups_cgroup, timeout_ms: c_int) -> c_int {
    guard(|| {
        let cg = required_ref(cg, "cg")?;
        let timeout = match timeout_ms {
            -1 => None,
            ms => Some(Duration::from_millis(u64::try_from(ms).map_err(|_| {
                Failure::invalid(format!("timeout {ms} ms is below -1 (wait forever)"))
            })?)),
        };
        Ok(cg.0.wait_empty(timeout)?)
    })
}
