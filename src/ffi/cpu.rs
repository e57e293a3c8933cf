//! The CPU share (the seed's "CPU limit", in percent of the default).

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
