// SPDX-License-Identifier: MIT OR Apache-2.0
//! Block I/O caps per device.

use std::ffi::{c_char, c_int};

use super::args::{required_ref, required_str, Out};
use super::constants::CGROUPS_UNLIMITED;
use super::group::cgroups_cgroup;
use super::guard::guard;
use crate::IoMax;

fn cap(value: u64) -> Option<u64> {
    (value != CGROUPS_UNLIMITED).then_some(value)
}

/// Caps the group's I/O on `device` ("MAJ:MIN" or a path such as "/dev/sda": a whole disk) in
/// bytes and operations per second: v2 io.max, v1 blkio.throttle.*_device. CGROUPS_UNLIMITED in
/// a field lifts that cap. CGROUPS_E_INVALID_ARGUMENT for a malformed, unknown or non-block
/// device, a partition, a cap below 2, or operations >= 4294967295 (nothing is written);
/// CGROUPS_E_UNSUPPORTED when the kernel has no I/O throttling or cannot throttle that device.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_io_max(
    cg: *const cgroups_cgroup,
    device: *const c_char,
    read_bps: u64,
    write_bps: u64,
    read_iops: u64,
    write_iops: u64,
) -> c_int {
    guard(|| {
        let cg = required_ref(cg, "cg")?;
        let device = required_str(device, "device")?;
        let caps = IoMax {
            read_bps: cap(read_bps),
            write_bps: cap(write_bps),
            read_iops: cap(read_iops),
            write_iops: cap(write_iops),
        };
        Ok(cg.0.set_io_max(device, caps)?)
    })
}

/// Reads the group's I/O caps on `device` (as for cgroups_set_io_max()) into the four outputs,
/// each CGROUPS_UNLIMITED where there is no cap (also for a device with nothing configured).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_io_max(
    cg: *const cgroups_cgroup,
    device: *const c_char,
    read_bps: *mut u64,
    write_bps: *mut u64,
    read_iops: *mut u64,
    write_iops: *mut u64,
) -> c_int {
    guard(|| {
        let outs = [
            Out::new(read_bps, "read_bps")?,
            Out::new(write_bps, "write_bps")?,
            Out::new(read_iops, "read_iops")?,
            Out::new(write_iops, "write_iops")?,
        ];
        let cg = required_ref(cg, "cg")?;
        let device = required_str(device, "device")?;
        let caps = cg.0.io_max(device)?;
        let values = [
            caps.read_bps,
            caps.write_bps,
            caps.read_iops,
            caps.write_iops,
        ];
        for (out, value) in outs.into_iter().zip(values) {
            out.write(value.unwrap_or(CGROUPS_UNLIMITED));
        }
        Ok(())
    })
}
