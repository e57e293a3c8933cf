//! Memory limit: v2 `memory.max`, v1 `memory.limit_in_bytes`, and the unit conversions.

use crate::error::{Error, Result};
use crate::mounts::Version;

/// Units of a memory limit; each step is ×1024.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes.
    Bytes,
    /// Kilobytes (1024 bytes).
    Kilobytes,
    /// Megabytes (1024² bytes).
    Megabytes,
    /// Gigabytes (1024³ bytes).
    Gigabytes,
}

impl Unit {
    /// Bytes per unit.
    pub const fn bytes(self) -> u64 {
        match self {
            Unit::Bytes => 1,
            Unit::Kilobytes => 1 << 10,
            Unit::Megabytes => 1 << 20,
            Unit::Gigabytes => 1 << 30,
        }
    }
}

/// Converts `limit` in `unit` to bytes.
///
/// Fails with [`Error::InvalidArgument`] for a zero limit (use a reset for "unlimited") and for
/// a product that overflows 64 bits.
pub fn limit_bytes(limit: u64, unit: Unit) -> Result<u64> {
    if limit == 0 {
        return Err(Error::InvalidArgument(
            "memory limit 0 would leave no memory; reset the limit for none".into(),
        ));
    }
    limit.checked_mul(unit.bytes()).ok_or_else(|| {
        Error::InvalidArgument(format!("memory limit {limit} {unit:?} overflows 64 bits"))
    })
}

/// The file holding the limit.
pub const fn file(version: Version) -> &'static str {
    match version {
        Version::V1 => "memory.limit_in_bytes",
        Version::V2 => "memory.max",
    }
}

/// What a reset writes: no limit.
pub const fn unlimited_text(version: Version) -> &'static str {
    match version {
        Version::V1 => "-1",
        Version::V2 => "max",
    }
}

/// Parses the file's content: `Ok(None)` means no limit.
///
/// v1 prints "no limit" as `PAGE_COUNTER_MAX · page_size`, which depends on the page size of the
/// running kernel; any value at or above it is unlimited. Fails with [`Error::Unsupported`] for
/// text that is not a number (or `max` on v2).
pub fn parse_limit(version: Version, text: &str, page_size: u64) -> Result<Option<u64>> {
    let text = text.trim();
    if version == Version::V2 && text == "max" {
        return Ok(None);
    }
    let bytes: u64 = text
        .parse()
        .map_err(|_| Error::Unsupported(format!("unexpected memory limit {text:?}")))?;
    if version == Version::V1 && bytes >= v1_unlimited_bytes(page_size) {
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// The smallest value v1 reports for "no limit": `(LONG_MAX / page_size) · page_size`.
pub const fn v1_unlimited_bytes(page_size: u64) -> u64 {
    (i64::MAX as u64 / page_size) * page_size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_scale_by_1024() {
        assert_eq!(limit_bytes(500, Unit::Megabytes).unwrap(), 500 << 20);
        assert_eq!(limit_bytes(3, Unit::Gigabytes).unwrap(), 3 << 30);
        assert_eq!(limit_bytes(7, Unit::Kilobytes).unwrap(), 7168);
        assert_eq!(limit_bytes(u64::MAX, Unit::Bytes).unwrap(), u64::MAX);
    }

    #[test]
    fn overflowing_and_zero_limits_are_refused() {
        assert!(limit_bytes(u64::MAX / 1024 + 1, Unit::Kilobytes).is_err());
        assert!(limit_bytes(1 << 34, Unit::Gigabytes).is_err());
        assert!(limit_bytes(0, Unit::Bytes).is_err());
    }

    #[test]
    fn v1_unlimited_depends_on_the_page_size() {
        assert_eq!(
            parse_limit(Version::V1, "9223372036854771712\n", 4096).unwrap(),
            None
        );
        assert_eq!(
            parse_limit(Version::V1, "9223372036854710272\n", 65536).unwrap(),
            None
        );
        assert_eq!(
            parse_limit(Version::V1, "9223372036854710272\n", 4096).unwrap(),
            Some(9223372036854710272)
        );
        assert_eq!(
            parse_limit(Version::V1, "524288000\n", 4096).unwrap(),
            Some(524288000)
        );
    }

    #[test]
    fn v2_max_is_unlimited() {
        assert_eq!(parse_limit(Version::V2, "max\n", 4096).unwrap(), None);
        assert_eq!(
            parse_limit(Version::V2, "4096\n", 4096).unwrap(),
            Some(4096)
        );
        assert!(parse_limit(Version::V2, "lots\n", 4096).is_err());
    }
}
