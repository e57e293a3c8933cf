// SPDX-License-Identifier: MIT OR Apache-2.0
//! Event watches: one pollable descriptor per watch.

use std::ffi::c_int;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use super::args::{into_c, required_mut, required_ref, take_box, Out};
use super::group::cgroups_cgroup;
use super::guard::{guard, guard_value, Failure};
use crate::watch::{Events, Watch};

/// A watch on a group's events (see cgroups_watch_new()). Use it from one thread at a time;
/// free it with cgroups_watch_free().
#[allow(non_camel_case_types)]
pub struct cgroups_watch(Watch);

/// Watches the group for `events` (CGROUPS_EVENT_* bits) and stores a new watch in `*out`.
/// Poll cgroups_watch_fd() for POLLIN, then call cgroups_watch_read(); or block in
/// cgroups_watch_wait(). EMPTY and FROZEN are reported when the group is found empty (frozen)
/// after being seen otherwise; OOM, MEMORY_HIGH and PIDS_MAX when the kernel's counter grew.
/// The first read reports what is already so when the watch is made (the group empty or
/// frozen, events its counters already hold; a new group holds none), so that nothing is
/// missed: make the watch once the job's first process is in the group (cgroups_add() is
/// synchronous; a child's own cgroups_attach_self() may not have run yet). Where the kernel has
/// no notification (v1 EMPTY, FROZEN, PIDS_MAX) the descriptor wakes every 100 ms and the read
/// checks. CGROUPS_E_INVALID_ARGUMENT for no event or an undefined bit;
/// CGROUPS_E_CONTROLLER_UNAVAILABLE for OOM/MEMORY_HIGH without memory, PIDS_MAX without pids,
/// FROZEN without the freezer; CGROUPS_E_UNSUPPORTED for MEMORY_HIGH on cgroup v1. The watch
/// stays valid after cgroups_free(cg).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_watch_new(
    cg: *const cgroups_cgroup,
    events: u32,
    out: *mut *mut cgroups_watch,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        let cg = required_ref(cg, "cg")?;
        let events = Events::from_bits(events).ok_or_else(|| {
            Failure::invalid(format!("events {events:#x} has bits that name no event"))
        })?;
        out.write(into_c(cgroups_watch(cg.0.watch(events)?)));
        Ok(())
    })
}

/// The descriptor to poll for POLLIN (owned by the watch: do not close it); -1 for NULL.
#[no_mangle]
pub extern "C" fn cgroups_watch_fd(w: *const cgroups_watch) -> c_int {
    guard_value(-1, || {
        required_ref(w, "w").map_or(-1, |w| w.0.as_fd().as_raw_fd())
    })
}

/// Stores the events (CGROUPS_EVENT_* bits) that fired since the last read in `*events_out`,
/// without blocking; 0 when none did. CGROUPS_E_NOT_FOUND once the group was removed.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_watch_read(w: *mut cgroups_watch, events_out: *mut u32) -> c_int {
    guard(|| {
        let out = Out::new(events_out, "events_out")?;
        let fired = required_mut(w, "w")?.0.read()?;
        out.write(fired.bits());
        Ok(())
    })
}

/// Waits until an event fires or `timeout_ms` passes (-1: forever) and stores what fired in
/// `*events_out` (0 when the timeout passed: still CGROUPS_OK). CGROUPS_E_INVALID_ARGUMENT for
/// a timeout below -1; CGROUPS_E_NOT_FOUND once the group was removed.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_watch_wait(
    w: *mut cgroups_watch,
    timeout_ms: c_int,
    events_out: *mut u32,
) -> c_int {
    guard(|| {
        let out = Out::new(events_out, "events_out")?;
        let timeout = match timeout_ms {
            -1 => None,
            ms if ms >= 0 => Some(Duration::from_millis(ms.unsigned_abs().into())),
            ms => {
                return Err(Failure::invalid(format!(
                    "timeout_ms {ms} is below -1 (wait forever)"
                )))
            }
        };
        let fired = required_mut(w, "w")?.0.wait(timeout)?;
        out.write(fired.bits());
        Ok(())
    })
}

/// Frees a watch and closes its descriptors. Calling with NULL is fine. Must not be called
/// twice with the same watch.
#[no_mangle]
pub extern "C" fn cgroups_watch_free(w: *mut cgroups_watch) {
    guard_value((), || drop(take_box(w)))
}
