// SPDX-License-Identifier: MIT OR Apache-2.0
//! Freezing and thawing.

use std::ffi::c_int;

use super::args::{required_ref, Out};
use super::group::cgroups_cgroup;
use super::guard::guard;

/// Freezes every process of the group and of its descendants, and returns once the kernel
/// reports the group frozen (v2 cgroup.events, v1 freezer.state). CGROUPS_E_TIMED_OUT after
/// 10 s without (the group is thawed again); CGROUPS_E_UNSUPPORTED on a v2 kernel before 5.2.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_freeze(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.freeze()?))
}

/// Thaws the group, and returns once the kernel reports it thawed. CGROUPS_E_BUSY (v1) or
/// CGROUPS_E_TIMED_OUT (v2) when a frozen ancestor keeps it frozen.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_thaw(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.thaw()?))
}

/// Stores 1 in `*frozen_out` when the kernel reports the group frozen (also by an ancestor),
/// 0 otherwise (a group still freezing is not frozen yet).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_frozen(cg: *const cgroups_cgroup, frozen_out: *mut c_int) -> c_int {
    guard(|| {
        let out = Out::new(frozen_out, "frozen_out")?;
        out.write(c_int::from(required_ref(cg, "cg")?.0.frozen()?));
        Ok(())
    })
}
