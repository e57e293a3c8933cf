//! CPU share as a percentage (100 % = the kernel's default), mapped linearly as systemd does:
//! v1 `cpu.shares = clamp(round(p·1024/100), 2, 262144)`, v2 `cpu.weight = clamp(round(p), 1, 10000)`.
//! A share only matters under contention; it is not a cap.

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

impl Cgroup {
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

#[cfg(test)]
mod tests {
    use super::*;

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
