//! The group handle and the calls on it.

use std::ffi::{c_char, c_int};

use super::args::{into_c, nullable_ref, optional_str, required_ref, required_str, take_box, Out};
use super::constants::{
    cgroups_unit, CGROUPS_ALL, CGROUPS_BYTES, CGROUPS_GIGABYTES, CGROUPS_KILOBYTES,
    CGROUPS_MEGABYTES, CGROUPS_UNLIMITED,
};
use super::guard::{guard, Failure};
use super::last_error;
use super::status::cgroups_status;
use crate::cgroup::{Cgroup, Selection};
use crate::controller::Controllers;
use crate::mounts::Layout;
use crate::Unit;

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

fn open_in(
    layout: impl FnOnce() -> crate::Result<Layout>,
    name: *const c_char,
    controllers: u32,
    user: *const c_char,
    out: *mut *mut cgroups_cgroup,
) -> Result<(), Failure> {
    let out = Out::new(out, "out")?;
    let name = required_str(name, "name")?;
    let user = optional_str(user, "user")?;
    let selection = selection(controllers)?;
    let group = Cgroup::open(&layout()?, name, selection, user)?;
    out.write(into_c(cgroups_cgroup(group)));
    Ok(())
}

/// Opens (creates, or loads if it exists) the group `name` ("a" or "a/b") of `user` (NULL or
/// "current": the effective user) on the default cgroup mount, in the hierarchies of
/// `controllers` (CGROUPS_CPU | CGROUPS_MEMORY …, or CGROUPS_ALL). On success stores a new handle
/// in `*out`; free it with cgroups_free().
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_open(
    name: *const c_char,
    controllers: u32,
    user: *const c_char,
    out: *mut *mut cgroups_cgroup,
) -> c_int {
    guard(|| open_in(Layout::discover, name, controllers, user, out))
}

/// Like cgroups_open(), on an explicit base: a directory holding cgroup mounts (v1/hybrid), a
/// cgroup2 mount, or a directory inside a cgroup filesystem. A base that is not a cgroup
/// filesystem gives CGROUPS_E_NOT_MOUNTED.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_open_at(
    base: *const c_char,
    name: *const c_char,
    controllers: u32,
    user: *const c_char,
    out: *mut *mut cgroups_cgroup,
) -> c_int {
    guard(|| {
        let base = required_str(base, "base")?;
        open_in(|| Layout::at(base), name, controllers, user, out)
    })
}

/// Frees a handle (the group itself stays). Calling with NULL is fine.
/// Must not be called twice with the same handle.
#[no_mangle]
pub extern "C" fn cgroups_free(cg: *mut cgroups_cgroup) {
    // A panic in a destructor must not unwind into C; there is nothing to report it to.
    let _ = std::panic::catch_unwind(|| drop(take_box(cg)));
}

/// Moves the whole process `pid` into the group (idempotent). CGROUPS_E_NO_SUCH_PROCESS for a
/// dead pid, CGROUPS_E_INVALID_ARGUMENT for pid <= 0 or a kernel thread.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_add(cg: *const cgroups_cgroup, pid: libc::pid_t) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.add(pid)?))
}

/// Moves `pid` back to the user's own group if it is in this group; success if it is not.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_remove(cg: *const cgroups_cgroup, pid: libc::pid_t) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.remove(pid)?))
}

/// Moves the calling process into the group. Async-signal-safe: call it in a child between
/// fork() and exec(). On failure sets only cgroups_last_errno() (and errno), not
/// cgroups_last_error(), since it must not allocate.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_attach_self(cg: *const cgroups_cgroup) -> c_int {
    let Some(cg) = nullable_ref(cg) else {
        last_error::set_errno(0);
        return cgroups_status::CGROUPS_E_NULL_ARGUMENT as c_int;
    };
    match cg.0.attach_self() {
        Ok(()) => cgroups_status::CGROUPS_OK as c_int,
        Err(err) => {
            let errno = err.raw_os_error().unwrap_or(libc::EIO);
            last_error::set_errno(errno);
            // SAFETY: __errno_location returns this thread's errno.
            unsafe { *libc::__errno_location() = errno };
            cgroups_status::from_errno(errno) as c_int
        }
    }
}

/// Lists the group's processes: stores a new array in `*pids_out` (NULL when empty) and its
/// length in `*count_out`. Free the array with cgroups_pids_free().
#[must_use]
#[no_mangle]
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
        let pids = required_ref(cg, "cg")?.0.pids()?;
        let array = if pids.is_empty() {
            std::ptr::null_mut()
        } else {
            // SAFETY: malloc of a non-zero size; checked for NULL below.
            let array = unsafe { libc::malloc(std::mem::size_of_val(pids.as_slice())) }
                .cast::<libc::pid_t>();
            if array.is_null() {
                return Err(Failure {
                    status: cgroups_status::CGROUPS_E_OS,
                    message: "out of memory listing pids".into(),
                    errno: libc::ENOMEM,
                });
            }
            // SAFETY: `array` has room for pids.len() elements and does not overlap `pids`.
            unsafe { std::ptr::copy_nonoverlapping(pids.as_ptr(), array, pids.len()) };
            array
        };
        count_out.write(pids.len());
        pids_out.write(array);
        Ok(())
    })
}

/// Frees an array from cgroups_pids(). Calling with NULL is fine.
#[no_mangle]
pub extern "C" fn cgroups_pids_free(pids: *mut libc::pid_t, count: usize) {
    let _ = count;
    // SAFETY: `pids` is NULL or came from malloc in cgroups_pids.
    unsafe { libc::free(pids.cast()) }
}

/// Sets the CPU share in percent of the default: (0, 100], 100 = default.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_set_cpu_limit(cg: *const cgroups_cgroup, percent: f64) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.set_cpu_limit(percent)?))
}

/// Resets the CPU share to the default (100 %).
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_reset_cpu_limit(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_cpu_limit()?))
}

/// Reads the CPU share in percent of the default into `*percent_out`.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_cpu_limit(cg: *const cgroups_cgroup, percent_out: *mut f64) -> c_int {
    guard(|| {
        let out = Out::new(percent_out, "percent_out")?;
        out.write(required_ref(cg, "cg")?.0.cpu_limit()?);
        Ok(())
    })
}

/// Limits the group's memory to `limit` units (CGROUPS_BYTES … CGROUPS_GIGABYTES, ×1024 steps).
/// CGROUPS_E_INVALID_ARGUMENT for 0, an overflowing size or an unknown unit; CGROUPS_E_BUSY when
/// (v1) the limit is below current usage.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_set_memory_limit(
    cg: *const cgroups_cgroup,
    limit: u64,
    unit: cgroups_unit,
) -> c_int {
    guard(|| {
        let cg = required_ref(cg, "cg")?;
        let unit = match unit {
            CGROUPS_BYTES => Unit::Bytes,
            CGROUPS_KILOBYTES => Unit::Kilobytes,
            CGROUPS_MEGABYTES => Unit::Megabytes,
            CGROUPS_GIGABYTES => Unit::Gigabytes,
            other => {
                return Err(Failure::invalid(format!(
                    "unit {other} is not a cgroups_unit"
                )))
            }
        };
        Ok(cg.0.set_memory_limit(limit, unit)?)
    })
}

/// Removes the memory limit.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_reset_memory_limit(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_memory_limit()?))
}

/// Reads the memory limit in bytes into `*bytes_out`; CGROUPS_UNLIMITED when there is none.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_memory_limit(cg: *const cgroups_cgroup, bytes_out: *mut u64) -> c_int {
    guard(|| {
        let out = Out::new(bytes_out, "bytes_out")?;
        out.write(
            required_ref(cg, "cg")?
                .0
                .memory_limit()?
                .unwrap_or(CGROUPS_UNLIMITED),
        );
        Ok(())
    })
}

/// Deletes the group: its processes move back to the user's group (never killed), then its
/// directories are removed. CGROUPS_E_BUSY if it has child groups. The handle stays valid until
/// cgroups_free(); later calls on it give CGROUPS_E_NOT_FOUND.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_delete(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.delete()?))
}
