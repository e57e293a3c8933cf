//! CPU share as a percentage (100 % = the kernel's default), mapped linearly as systemd does:
//! v1 `cpu.shares = clamp(round(p·1024/100), 2, 262144)`, v2 `cpu.weight = clamp(round(p), 1, 10000)`.

use crate::error::{Error, Result};
use crate::mounts::Version;

/// The file holding the share.
pub const fn file(version: Version) -> &'static str {
    match version {
        Version::V1 => "cpu.shares",
        Version::V2 => "cpu.weight",
    }
}

/// The kernel's default share, which a reset writes.
pub const fn default_value(version: Version) -> u64 {
    match version {
        Version::V1 => 1024,
        Version::V2 => 100,
    }
}

/// Converts a percentage in (0, 100] into the file's value.
///
/// Fails with [`Error::InvalidArgument`] for NaN, infinities and values outside (0, 100].
pub fn percent_to_value(version: Version, percent: f64) -> Result<u64> {
    if !(percent > 0.0 && percent <= 100.0) {
        return Err(Error::InvalidArgument(format!(
            "CPU percentage {percent} is outside (0, 100]"
        )));
    }
    Ok(match version {
        Version::V1 => (percent * 1024.0 / 100.0).round().clamp(2.0, 262_144.0) as u64,
        Version::V2 => percent.round().clamp(1.0, 10_000.0) as u64,
    })
}

/// Converts the file's value back into a percentage (may exceed 100 if set by someone else).
pub fn value_to_percent(version: Version, value: u64) -> f64 {
    match version {
        Version::V1 => value as f64 * 100.0 / 1024.0,
        Version::V2 => value as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_percent_is_half_the_default_share() {
        assert_eq!(percent_to_value(Version::V1, 50.0).unwrap(), 512);
        assert_eq!(percent_to_value(Version::V2, 50.0).unwrap(), 50);
        assert_eq!(value_to_percent(Version::V1, 512), 50.0);
        assert_eq!(value_to_percent(Version::V2, 50), 50.0);
    }

    #[test]
    fn hundred_percent_is_the_default() {
        for version in [Version::V1, Version::V2] {
            assert_eq!(
                percent_to_value(version, 100.0).unwrap(),
                default_value(version)
            );
        }
    }

    #[test]
    fn tiny_percentages_clamp_to_the_kernel_minimum() {
        assert_eq!(percent_to_value(Version::V1, 0.01).unwrap(), 2);
        assert_eq!(percent_to_value(Version::V2, 0.01).unwrap(), 1);
    }

    #[test]
    fn out_of_range_and_non_finite_percentages_are_refused() {
        for bad in [0.0, -1.0, 100.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(
                percent_to_value(Version::V2, bad).is_err(),
                "{bad} accepted"
            );
        }
    }
}
