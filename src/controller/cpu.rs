// SPDX-License-Identifier: MIT OR Apache-2.0
//! CPU share as a percentage (100 % = the kernel's default), mapped linearly as systemd does:
//! v1 `cpu.shares = clamp(round(p·1024/100), 2, 262144)`, v2 `cpu.weight = clamp(round(p), 1, 10000)`.
//! A share only matters under contention; it is not a cap.
//!
//! The hard cap, in CPUs: a quota of CPU time per period of 100 000 µs (v2 `cpu.max
//! "<quota> <period>"`, v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`); 1.5 CPUs is 150 000 µs
//! per period. The kernel refuses quotas under 1000 µs; "no cap" is `max` (v2) or `-1` (v1).

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::layout::{Controller, Version};

/// The file holding the share.
const fn share_file(version: Version) -> &'static str {
    match version {
        Version::V1 => "cpu.shares",
        Version::V2 => "cpu.weight",
    }
}

/// The kernel's default share, which a reset writes.
const fn default_share(version: Version) -> u64 {
    match version {
        Version::V1 => 1024,
        Version::V2 => 100,
    }
}

/// Converts a percentage in (0, 100] into the file's value.
///
/// Fails with [`Error::InvalidArgument`] for NaN, infinities and values outside (0, 100].
pub(crate) fn percent_to_share(version: Version, percent: f64) -> Result<u64> {
    if !(percent > 0.0 && percent <= 100.0) {
        return Err(Error::InvalidArgument(format!(
            "CPU share percentage {percent} is outside (0, 100]"
        )));
    }
    Ok(match version {
        Version::V1 => (percent * 1024.0 / 100.0).round().clamp(2.0, 262_144.0) as u64,
        Version::V2 => percent.round().clamp(1.0, 10_000.0) as u64,
    })
}

/// Converts the file's value back into a percentage (may exceed 100 if set by someone else).
pub(crate) fn share_to_percent(version: Version, value: u64) -> f64 {
    match version {
        Version::V1 => value as f64 * 100.0 / 1024.0,
        Version::V2 => value as f64,
    }
}

/// The period of a cap, in µs: the kernel's default.
const CAP_PERIOD_US: u64 = 100_000;
/// The smallest quota the kernel accepts, in µs (`min_cfs_quota_period`).
const MIN_QUOTA_US: u64 = 1000;
/// The largest quota the kernel accepts, in µs (`max_cfs_runtime`: 2^44 - 1 µs).
const MAX_QUOTA_US: u64 = (1 << 44) - 1;

/// Converts a cap in CPUs into a quota in µs per [`CAP_PERIOD_US`].
///
/// Fails with [`Error::InvalidArgument`] for NaN, infinities, values ≤ 0, and caps whose quota
/// is outside what the kernel accepts (under 0.01 CPUs, or over 2^44 µs per period).
fn cpus_to_quota_us(cpus: f64) -> Result<u64> {
    if !(cpus.is_finite() && cpus > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "CPU cap {cpus} is not a positive number of CPUs (reset the cap for none)"
        )));
    }
    let quota = (cpus * CAP_PERIOD_US as f64).round();
    if quota < MIN_QUOTA_US as f64 {
        return Err(Error::InvalidArgument(format!(
            "CPU cap {cpus} is below the kernel's minimum of {} CPUs ({MIN_QUOTA_US} µs per \
             {CAP_PERIOD_US} µs)",
            MIN_QUOTA_US as f64 / CAP_PERIOD_US as f64
        )));
    }
    if quota > MAX_QUOTA_US as f64 {
        return Err(Error::InvalidArgument(format!(
            "CPU cap {cpus} is above the kernel's maximum quota of {MAX_QUOTA_US} µs per period"
        )));
    }
    Ok(quota as u64)
}

/// Parses a cap: v2 `cpu.max` ("max 100000" or "150000 100000"), or v1's quota and period
/// (quota -1 for none). `Ok(None)` means no cap.
fn parse_cap(version: Version, quota: &str, period: &str) -> Result<Option<f64>> {
    let unexpected = || Error::Unsupported(format!("unexpected CPU cap {quota:?} {period:?}"));
    let quota = quota.trim();
    if (version == Version::V2 && quota == "max") || (version == Version::V1 && quota == "-1") {
        return Ok(None);
    }
    let quota: u64 = quota.parse().map_err(|_| unexpected())?;
    let period: u64 = period.trim().parse().map_err(|_| unexpected())?;
    if period == 0 {
        return Err(unexpected());
    }
    Ok(Some(quota as f64 / period as f64))
}

/// Maps the kernel's EINVAL on a cap (v1: above the parent's cap) to an explained refusal.
fn cap_refused(err: Error, cpus: f64) -> Error {
    match err {
        Error::Os { ref source, .. } if source.raw_os_error() == Some(libc::EINVAL) => {
            Error::InvalidArgument(format!(
                "the kernel refused a CPU cap of {cpus} CPUs: on cgroup v1 a group's cap cannot \
                 exceed its parent's"
            ))
        }
        other => other,
    }
}

impl Cgroup {
    /// Caps the group's CPU time at `cpus` CPUs (1.5 = one and a half CPUs' worth of time per
    /// period, however many CPUs it runs on), rounded to 1/100000 CPU: v2 `cpu.max`, v1
    /// `cpu.cfs_quota_us` with a period of 100 000 µs.
    ///
    /// Fails with [`Error::InvalidArgument`] for NaN, infinities, values ≤ 0, below 0.01 CPUs
    /// (the kernel's minimum quota of 1000 µs) or above its maximum (nothing is written), and
    /// on v1 for a cap above the parent's; [`Error::ControllerUnavailable`] when the group was
    /// opened without CPU, [`Error::Unsupported`] when the kernel has no CPU bandwidth control
    /// (`CONFIG_CFS_BANDWIDTH`), and [`Error::NotFound`] when the group was deleted.
    pub fn set_cpu_max(&self, cpus: f64) -> Result<()> {
        let quota = cpus_to_quota_us(cpus)?;
        let dir = self.dir(Controller::Cpu)?;
        match dir.version() {
            Version::V2 => dir.write("cpu.max", format!("{quota} {CAP_PERIOD_US}").as_bytes()),
            Version::V1 => {
                set_v1_period(dir)?;
                dir.write("cpu.cfs_quota_us", quota.to_string().as_bytes())
            }
        }
        .map_err(|err| cap_refused(err, cpus))
    }

    /// Lifts the CPU cap (the kernel's default: no cap, period 100 000 µs).
    ///
    /// Fails like [`Cgroup::set_cpu_max`], except for the range checks.
    pub fn reset_cpu_max(&self) -> Result<()> {
        let dir = self.dir(Controller::Cpu)?;
        match dir.version() {
            Version::V2 => dir.write("cpu.max", format!("max {CAP_PERIOD_US}").as_bytes()),
            Version::V1 => {
                dir.write("cpu.cfs_quota_us", b"-1")?;
                set_v1_period(dir)
            }
        }
    }

    /// Reads the CPU cap in CPUs; `None` means no cap (the C API reports +INFINITY).
    ///
    /// Fails with [`Error::ControllerUnavailable`], [`Error::NotFound`] and
    /// [`Error::Unsupported`].
    pub fn cpu_max(&self) -> Result<Option<f64>> {
        let dir = self.dir(Controller::Cpu)?;
        match dir.version() {
            Version::V2 => {
                let text = dir.read_text("cpu.max")?;
                let mut fields = text.split_ascii_whitespace();
                let quota = fields.next().unwrap_or_default();
                let period = fields.next().unwrap_or_default();
                parse_cap(Version::V2, quota, period)
            }
            Version::V1 => {
                let quota = dir.read_text("cpu.cfs_quota_us")?;
                if quota.trim() == "-1" {
                    return Ok(None);
                }
                let period = dir.read_text("cpu.cfs_period_us")?;
                parse_cap(Version::V1, &quota, &period)
            }
        }
    }

    /// Sets the group's CPU share as a percentage of the default (100 = default; 50 = half the
    /// weight of a default group under contention). Not a hard cap.
    ///
    /// Fails with [`Error::InvalidArgument`] outside (0, 100] or for NaN/infinity (nothing is
    /// written), [`Error::ControllerUnavailable`] when the group was opened without CPU, and
    /// [`Error::NotFound`] when it was deleted.
    pub fn set_cpu_share_percent(&self, percent: f64) -> Result<()> {
        let dir = self.dir(Controller::Cpu)?;
        let value = percent_to_share(dir.version(), percent)?;
        dir.write(share_file(dir.version()), value.to_string().as_bytes())
    }

    /// Resets the CPU share to the kernel's default (100 %).
    ///
    /// Fails like [`Cgroup::set_cpu_share_percent`], except for the range check.
    pub fn reset_cpu_share(&self) -> Result<()> {
        let dir = self.dir(Controller::Cpu)?;
        let version = dir.version();
        dir.write(
            share_file(version),
            default_share(version).to_string().as_bytes(),
        )
    }

    /// Reads the CPU share as a percentage of the default.
    ///
    /// Fails with [`Error::ControllerUnavailable`], [`Error::NotFound`], or [`Error::Unsupported`]
    /// for content that is not a number.
    pub fn cpu_share_percent(&self) -> Result<f64> {
        let dir = self.dir(Controller::Cpu)?;
        let file = share_file(dir.version());
        let text = dir.read_text(file)?;
        let value: u64 = text
            .trim()
            .parse()
            .map_err(|_| Error::Unsupported(format!("unexpected {file} content {text:?}")))?;
        Ok(share_to_percent(dir.version(), value))
    }
}

/// Makes the v1 period the one caps are computed for. A different period (set by someone
/// else) is changed with the quota lifted first, so that no intermediate pair of values
/// exceeds the parent's cap.
fn set_v1_period(dir: &crate::group_dir::GroupDir) -> Result<()> {
    let period = dir.read_text("cpu.cfs_period_us")?;
    if period.trim() == CAP_PERIOD_US.to_string() {
        return Ok(());
    }
    dir.write("cpu.cfs_quota_us", b"-1")?;
    dir.write("cpu.cfs_period_us", CAP_PERIOD_US.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_in_cpus_become_quotas_per_100ms() {
        assert_eq!(cpus_to_quota_us(1.5).unwrap(), 150_000);
        assert_eq!(cpus_to_quota_us(0.01).unwrap(), 1000);
        assert_eq!(cpus_to_quota_us(64.0).unwrap(), 6_400_000);
        assert_eq!(
            parse_cap(Version::V2, "150000", "100000").unwrap(),
            Some(1.5)
        );
        assert_eq!(
            parse_cap(Version::V1, "33300", "100000").unwrap(),
            Some(0.333)
        );
        assert_eq!(parse_cap(Version::V2, "max", "100000").unwrap(), None);
        assert_eq!(parse_cap(Version::V1, "-1\n", "100000\n").unwrap(), None);
        assert!(parse_cap(Version::V2, "lots", "100000").is_err());
        assert!(parse_cap(Version::V2, "1000", "0").is_err());
    }

    #[test]
    fn caps_outside_what_the_kernel_accepts_are_refused() {
        for bad in [
            0.0,
            -1.0,
            0.0099,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2e8,
        ] {
            assert!(cpus_to_quota_us(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn fifty_percent_is_half_the_default_share() {
        assert_eq!(percent_to_share(Version::V1, 50.0).unwrap(), 512);
        assert_eq!(percent_to_share(Version::V2, 50.0).unwrap(), 50);
        assert_eq!(share_to_percent(Version::V1, 512), 50.0);
        assert_eq!(share_to_percent(Version::V2, 50), 50.0);
    }

    #[test]
    fn hundred_percent_is_the_default() {
        for version in [Version::V1, Version::V2] {
            assert_eq!(
                percent_to_share(version, 100.0).unwrap(),
                default_share(version)
            );
        }
    }

    #[test]
    fn tiny_percentages_clamp_to_the_kernel_minimum() {
        assert_eq!(percent_to_share(Version::V1, 0.01).unwrap(), 2);
        assert_eq!(percent_to_share(Version::V2, 0.01).unwrap(), 1);
    }

    #[test]
    fn out_of_range_and_non_finite_percentages_are_refused() {
        for bad in [0.0, -1.0, 100.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(
                percent_to_share(Version::V2, bad).is_err(),
                "{bad} accepted"
            );
        }
    }
}
