// SPDX-License-Identifier: MIT OR Apache-2.0
//! CPU and memory-node placement (cpuset), and freeing the strings the library hands out.

use std::ffi::{c_char, c_int, CString};

use super::args::{optional_str, required_ref, Out};
use super::group::cgroups_cgroup;
use super::guard::{guard, guard_value, Failure};

/// Pins the group to CPUs `cpus` and memory nodes `mems`, in the kernel's list syntax
/// ("0-3,6"); NULL leaves that half unchanged. On cgroup v2 "" means "the parent's"; on v1 it
/// is refused. CGROUPS_E_INVALID_ARGUMENT for a malformed list (nothing is written) or one the
/// kernel refuses (offline, or not among the parent's: the other half is restored).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_cpuset(
    cg: *const cgroups_cgroup,
    cpus: *const c_char,
    mems: *const c_char,
) -> c_int {
    guard(|| {
        let cg = required_ref(cg, "cg")?;
        let cpus = optional_str(cpus, "cpus")?;
        let mems = optional_str(mems, "mems")?;
        Ok(cg.0.set_cpuset(cpus, mems)?)
    })
}

/// Reads the group's CPUs and memory nodes as set, in the kernel's list syntax (on v2 "" when
/// the group uses its parent's): stores a new string in `*cpus_out` and one in `*mems_out`.
/// Free each with cgroups_string_free().
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_cpuset(
    cg: *const cgroups_cgroup,
    cpus_out: *mut *mut c_char,
    mems_out: *mut *mut c_char,
) -> c_int {
    guard(|| {
        let cpus_out = Out::new(cpus_out, "cpus_out")?;
        let mems_out = Out::new(mems_out, "mems_out")?;
        let (cpus, mems) = required_ref(cg, "cg")?.0.cpuset()?;
        let to_c = |list: String| {
            CString::new(list)
                .map_err(|_| Failure::invalid("the kernel's list holds a NUL byte".into()))
        };
        let (cpus, mems) = (to_c(cpus)?, to_c(mems)?);
        cpus_out.write(cpus.into_raw());
        mems_out.write(mems.into_raw());
        Ok(())
    })
}

/// Frees a string the library stored in an output parameter (cgroups_cpuset()). Calling with
/// NULL is fine. Must not be called twice with the same string.
#[no_mangle]
pub extern "C" fn cgroups_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            // SAFETY: a non-NULL string came from CString::into_raw in this library and is
            // given back once (C contract).
            drop(unsafe { CString::from_raw(s) });
        }
    })
}
