// SPDX-License-Identifier: MIT OR Apache-2.0
//! The CPU share (the seed's "CPU limit", in percent of the default) and the hard CPU cap (in
//! CPUs).

use std::ffi::c_int;

use super::args::{required_ref, Out};
use super::group::cgroups_cgroup;
use super::guard::guard;

/// Sets the CPU share in percent of the default: (0, 100], 100 = default. A relative weight
/// under contention, not a cap.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_cpu_limit(cg: *const cgroups_cgroup, percent: f64) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.set_cpu_share_percent(percent)?))
}

/// Resets the CPU share to the default (100 %).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_reset_cpu_limit(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_cpu_share()?))
}

/// Reads the CPU share in percent of the default into `*percent_out`.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_cpu_limit(cg: *const cgroups_cgroup, percent_out: *mut f64) -> c_int {
    guard(|| {
        let out = Out::new(percent_out, "percent_out")?;
        out.write(required_ref(cg, "cg")?.0.cpu_share_percent()?);
        Ok(())
    })
}

/// Caps the group's CPU time at `cpus` CPUs (1.5 = one and a half CPUs' worth of time per
/// 100 ms period): v2 cpu.max, v1 cpu.cfs_quota_us/cfs_period_us. CGROUPS_E_INVALID_ARGUMENT
/// for NaN, infinities, values <= 0, below 0.01 CPUs (the kernel's minimum quota of 1000 us) or
/// above its maximum, and (v1) above the parent's cap; nothing is written then.
/// CGROUPS_E_UNSUPPORTED when the kernel has no CPU bandwidth control.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_set_cpu_max(cg: *const cgroups_cgroup, cpus: f64) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.set_cpu_max(cpus)?))
}

/// Lifts the CPU cap (the kernel's default).
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_reset_cpu_max(cg: *const cgroups_cgroup) -> c_int {
    guard(|| Ok(required_ref(cg, "cg")?.0.reset_cpu_max()?))
}

/// Reads the CPU cap in CPUs into `*cpus_out`: +INFINITY (test with isinf()) when there is none.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_cpu_max(cg: *const cgroups_cgroup, cpus_out: *mut f64) -> c_int {
    guard(|| {
        let out = Out::new(cpus_out, "cpus_out")?;
        out.write(
            required_ref(cg, "cg")?
                .0
                .cpu_max()?
                .unwrap_or(f64::INFINITY),
        );
        Ok(())
    })
}
