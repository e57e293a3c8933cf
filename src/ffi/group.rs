// SPDX-License-Identifier: MIT OR Apache-2.0
//! The group handle: opening, freeing, membership and deletion.

use std::ffi::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use super::args::{into_c, optional_str, required_ref, required_str, take_box, Out};
use super::constants::CGROUPS_ALL;
use super::guard::{guard, guard_value, Failure};
use super::status::cgroups_status;
use crate::cgroup::{Cgroup, Selection};
use crate::layout::Controllers;

/// An open group. Immutable: it may be used from several threads at once. Free it with
/// cgroups_free().
#[allow(non_camel_case_types)]
pub struct cgroups_cgroup(pub(crate) Cgroup);

/// The controller selection of a `controllers` argument.
pub(crate) fn selection(controllers: u32) -> Result<Selection, Failure> {
    if controllers == CGROUPS_ALL {
        return Ok(Selection::All);
    }
    Controllers::from_bits(controllers)
        .map(Selection::Only)
        .ok_or_else(|| {
            Failure::invalid(format!(
                "controllers {controllers:#x} has bits that name no controller"
            ))
        })
}

/// Stores a new handle for `group` in `out`.
pub(crate) fn hand_out(out: Out<*mut cgroups_cgroup>, group: Cgroup) {
    out.write(into_c(cgroups_cgroup(group)));
}

fn open_in(
    base: Option<&str>,
    name: *const c_char,
    controllers: u32,
    user: *const c_char,
    out: *mut *mut cgroups_cgroup,
) -> Result<(), Failure> {
    let out = Out::new(out, "out")?;
    let name = required_str(name, "name")?;
    let user = optional_str(user, "user")?;
    let selection = selection(controllers)?;
    let base = base.map(Path::new);
    hand_out(out, Cgroup::open_at(base, name, selection, user)?);
    Ok(())
}

/// Opens (creates, or loads if it exists) the group `name` ("a" or "a/b") of `user` (NULL or
/// "current": the effective user) on the default cgroup mount, in the hierarchies of
/// `controllers` (CGROUPS_CPU | CGROUPS_MEMORY …, or CGROUPS_ALL). On success stores a new handle
/// in `*out`; free it with cgroups_free(). The base and user are resolved once per process and
/// reused while the mount table stays the same (checked on every call), so one call per job
/// costs what cgroups_context_open() costs. Not async-signal-safe.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_open(
    name: *const c_char,
    controllers: u32,
    user: *const c_char,
    out: *mut *mut cgroups_cgroup,
) -> c_int {
    guard(|| open_in(None, name, controllers, user, out))
}

/// Like cgroups_open(), on an explicit base: a directory holding cgroup mounts (v1/hybrid), a
/// cgroup2 mount, or a directory inside a cgroup filesystem. A base that is not a cgroup
/// filesystem (or not a directory) gives CGROUPS_E_NOT_MOUNTED.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_open_at(
    base: *const c_char,
    name: *const c_char,
    controllers: u32,
    user: *const c_char,
    out: *mut *mut cgroups_cgroup,
) -> c_int {
    guard(|| {
        let base = required_str(base, "base")?;
        open_in(Some(base), name, controllers, user, out)
    })
}

/// Frees a handle (the group itself stays). Calling with NULL is fine.
/// Must not be called twice with the same handle.
#[no_mangle]
pub extern "C" fn cgroups_free(cg: *mut cgroups_cgroup) {
    guard_value((), || drop(take_box(cg)))
}

/// Moves the whole process `pid` into the group (idempotent). CGROUPS_E_NO_SUCH_PROCESS for a
/// dead pid or a zombie, CGROUPS_E_INVALID_ARGUMENT for pid <= 0 or a kernel thread,
/// CGROUPS_E_PERMISSION also for a process of another user than the group's owner (unless the
/// group is root's).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_add(cg: *const cgroups_cgroup, pid: libc::pid_t) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.add(pid)?))
}

/// Moves `pid` back to the user's own group if it is in this group; success if it is not.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_remove(cg: *const cgroups_cgroup, pid: libc::pid_t) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.remove(pid)?))
}

/// Moves the calling process into the group. Async-signal-safe (also when the library was
/// loaded with dlopen()): call it in a child between fork() and exec(). On failure it sets only
/// errno, not cgroups_last_error() or cgroups_last_errno(), since it must neither allocate nor
/// touch the library's thread-local storage.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_attach_self(cg: *const cgroups_cgroup) -> c_int {
    let attach = AssertUnwindSafe(|| {
        // SAFETY: a non-NULL pointer is a live handle (C contract).
        let Some(cg) = (unsafe { cg.as_ref() }) else {
            return cgroups_status::CGROUPS_E_NULL_ARGUMENT as c_int;
        };
        match cg.0.attach_self() {
            Ok(()) => cgroups_status::CGROUPS_OK as c_int,
            Err(err) => {
                let errno = err.raw_os_error().unwrap_or(libc::EIO);
                // SAFETY: __errno_location returns this thread's errno.
                unsafe { *libc::__errno_location() = errno };
                cgroups_status::from_errno(errno) as c_int
            }
        }
    });
    catch_unwind(attach).unwrap_or(cgroups_status::CGROUPS_E_INTERNAL as c_int)
}

/// Lists the group's processes: stores a new array in `*pids_out` (NULL when empty) and its
/// length in `*count_out`. Free the array with cgroups_pids_free(), passing that length.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_pids(
    cg: *const cgroups_cgroup,
    pids_out: *mut *mut libc::pid_t,
    count_out: *mut usize,
) -> c_int {
    guard(|| {
        let (pids_out, count_out) = (
            Out::new(pids_out, "pids_out")?,
            Out::new(count_out, "count_out")?,
        );
        let pids = required_ref(cg, "cg")?.0.pids()?.into_boxed_slice();
        let count = pids.len();
        let array = if count == 0 {
            std::ptr::null_mut()
        } else {
            Box::into_raw(pids).cast::<libc::pid_t>()
        };
        count_out.write(count);
        pids_out.write(array);
        Ok(())
    })
}

/// Frees an array from cgroups_pids(); `count` must be the length it stored. Calling with NULL
/// is fine. Must not be called twice with the same array.
#[no_mangle]
pub extern "C" fn cgroups_pids_free(pids: *mut libc::pid_t, count: usize) {
    guard_value((), || {
        if !pids.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(pids, count);
            // SAFETY: `pids` and `count` came from cgroups_pids, which leaked a Box<[pid_t]> of
            // that length; it is given back once (C contract).
            drop(unsafe { Box::from_raw(slice) });
        }
    })
}

/// Deletes the group: its processes move back to the user's group (never killed), then its
/// directories are removed. CGROUPS_E_BUSY if it has child groups. The handle stays valid until
/// cgroups_free(); later calls on it give CGROUPS_E_NOT_FOUND.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_delete(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.delete()?))
}
