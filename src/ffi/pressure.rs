// SPDX-License-Identifier: MIT OR Apache-2.0
//! Pressure stall information: reading it, and triggers.

use std::ffi::c_int;
use std::os::fd::IntoRawFd;
use std::time::Duration;

use super::args::{required_ref, Out};
use super::constants::{CGROUPS_CPU, CGROUPS_IO, CGROUPS_MEMORY};
use super::group::cgroups_cgroup;
use super::guard::{guard, Failure};
use crate::pressure::{Pressure, Resource, Stall};

/// The pressure of one resource in a group. Set `size` to sizeof(cgroups_pressure) before a
/// read: the struct only ever grows at its end. The averages are percentages of time stalled
/// over the last 10, 60 and 300 s; the totals are µs since the group was made. "some": some
/// tasks were stalled; "full": all non-idle tasks at once (0 where the kernel has no such line,
/// as for CPU before Linux 5.13).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct cgroups_pressure {
    /// sizeof(cgroups_pressure), set by the caller.
    pub size: u32,
    /// Percent of the last 10 s with some tasks stalled.
    pub some_avg10: f64,
    /// Percent of the last 60 s.
    pub some_avg60: f64,
    /// Percent of the last 300 s.
    pub some_avg300: f64,
    /// Total time with some tasks stalled, µs.
    pub some_total_usec: u64,
    /// Percent of the last 10 s with all non-idle tasks stalled.
    pub full_avg10: f64,
    /// Percent of the last 60 s.
    pub full_avg60: f64,
    /// Percent of the last 300 s.
    pub full_avg300: f64,
    /// Total time with all non-idle tasks stalled, µs.
    pub full_total_usec: u64,
}

/// The size of the struct's first release: the smallest `size` a caller may pass.
const FIRST_RELEASE_SIZE: usize = std::mem::size_of::<cgroups_pressure>();

/// The resource of a `resource` argument: exactly one of CGROUPS_CPU, CGROUPS_MEMORY,
/// CGROUPS_IO.
fn resource(bits: u32) -> Result<Resource, Failure> {
    match bits {
        CGROUPS_CPU => Ok(Resource::Cpu),
        CGROUPS_MEMORY => Ok(Resource::Memory),
        CGROUPS_IO => Ok(Resource::Io),
        other => Err(Failure::invalid(format!(
            "resource {other:#x} is not CGROUPS_CPU, CGROUPS_MEMORY or CGROUPS_IO"
        ))),
    }
}

/// Reads the pressure of `resource` (CGROUPS_CPU, CGROUPS_MEMORY or CGROUPS_IO) in the group
/// into `*out`; set out->size = sizeof(cgroups_pressure) first. CGROUPS_E_INVALID_ARGUMENT for
/// another resource or a `size` smaller than the struct's first release (nothing is written);
/// CGROUPS_E_UNSUPPORTED, with the reason in cgroups_last_error(), where the group has no
/// cgroup2 directory (v1 hosts; hybrid hosts whose cgroup2 tree serves none of its
/// controllers) or PSI is off; CGROUPS_E_NOT_FOUND when the group was removed.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_pressure_read(
    cg: *const cgroups_cgroup,
    resource: u32,
    out: *mut cgroups_pressure,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: a non-NULL `out` points to a cgroups_pressure whose `size` the caller set
        // (C contract); only that first field is read here.
        let size = unsafe { std::ptr::addr_of!((*out.as_ptr()).size).read() };
        if (size as usize) < FIRST_RELEASE_SIZE {
            return Err(Failure::invalid(format!(
                "out->size is {size}: set it to sizeof(cgroups_pressure) ({FIRST_RELEASE_SIZE} \
                 or more)"
            )));
        }
        let cg = required_ref(cg, "cg")?;
        let Pressure { some, full } = cg.0.pressure(self::resource(resource)?)?;
        let full = full.unwrap_or_default();
        out.write(cgroups_pressure {
            size,
            some_avg10: some.avg10,
            some_avg60: some.avg60,
            some_avg300: some.avg300,
            some_total_usec: some.total_usec,
            full_avg10: full.avg10,
            full_avg60: full.avg60,
            full_avg300: full.avg300,
            full_total_usec: full.total_usec,
        });
        Ok(())
    })
}

/// Makes a PSI trigger on `resource` (CGROUPS_CPU, CGROUPS_MEMORY or CGROUPS_IO) of the group
/// and stores its descriptor in `*fd_out`: poll() reports POLLPRI on it each time the stall
/// time ("some", or "full" when `full` is non-zero) within `window_us` exceeds `stall_us` (at
/// most once per window). `window_us` must be within 500000 and 10000000 (an unprivileged
/// caller: a multiple of 2000000 on Linux 6.5+), and `stall_us` more than 0 and at most
/// `window_us`: CGROUPS_E_INVALID_ARGUMENT otherwise. Close the descriptor with close() to
/// remove the trigger. CGROUPS_E_UNSUPPORTED and CGROUPS_E_NOT_FOUND as for
/// cgroups_pressure_read().
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_pressure_trigger(
    cg: *const cgroups_cgroup,
    resource: u32,
    full: c_int,
    stall_us: u64,
    window_us: u64,
    fd_out: *mut c_int,
) -> c_int {
    guard(|| {
        let fd_out = Out::new(fd_out, "fd_out")?;
        let cg = required_ref(cg, "cg")?;
        let stall = if full != 0 { Stall::Full } else { Stall::Some };
        let fd = cg.0.pressure_trigger(
            self::resource(resource)?,
            stall,
            Duration::from_micros(stall_us),
            Duration::from_micros(window_us),
        )?;
        fd_out.write(fd.into_raw_fd());
        Ok(())
    })
}
