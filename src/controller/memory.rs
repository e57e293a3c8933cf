//! Memory limit: v2 `memory.max`, v1 `memory.limit_in_bytes`, and the unit conversions.
//!
//! The kernel keeps limits in pages: a limit is rounded down to a multiple of the page size
//! (4096 bytes on most machines), and reads back rounded. A limit below one page would read back
//! as 0 and is refused.

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::layout::{Controller, Version};

/// Units of a memory limit; each step is ×1024.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
/// Fails with [`Error::InvalidArgument`] for a product that overflows 64 bits and for less than
/// one page of `page_size` bytes (0 included: reset the limit for "none").
pub(crate) fn limit_bytes(limit: u64, unit: Unit, page_size: u64) -> Result<u64> {
    let bytes = limit.checked_mul(unit.bytes()).ok_or_else(|| {
        Error::InvalidArgument(format!("memory limit {limit} {unit:?} overflows 64 bits"))
    })?;
    if bytes < page_size {
        return Err(Error::InvalidArgument(format!(
            "memory limit {limit} {unit:?} is less than one page ({page_size} bytes): the kernel \
             would read it as 0; reset the limit for none"
        )));
    }
    Ok(bytes)
}

/// The file holding the limit.
const fn limit_file(version: Version) -> &'static str {
    match version {
        Version::V1 => "memory.limit_in_bytes",
        Version::V2 => "memory.max",
    }
}

/// What a reset writes: no limit.
const fn unlimited_text(version: Version) -> &'static str {
    match version {
        Version::V1 => "-1",
        Version::V2 => "max",
    }
}

/// Parses a limit file's content: `Ok(None)` means no limit.
///
/// v1 prints "no limit" as `PAGE_COUNTER_MAX · page_size`, which depends on the page size of the
/// running kernel; any value at or above it is unlimited. Fails with [`Error::Unsupported`] for
/// text that is not a number (or `max` on v2).
pub(crate) fn parse_limit(version: Version, text: &str, page_size: u64) -> Result<Option<u64>> {
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
const fn v1_unlimited_bytes(page_size: u64) -> u64 {
    (i64::MAX as u64 / page_size) * page_size
}

/// This kernel's page size.
pub(crate) fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        size if size > 0 => size as u64,
        _ => 4096,
    }
}

impl Cgroup {
    /// Limits the group's memory to `limit` `unit`s (rounded down to whole pages by the kernel).
    /// On v1 a limit below the group's usage makes the kernel reclaim, and fails if it cannot;
    /// on v2 it reclaims, and the OOM killer kills members of the group if that is not enough.
    ///
    /// Fails with [`Error::InvalidArgument`] for less than one page (0 included) or a size that
    /// overflows 64 bits (nothing is written), [`Error::Busy`] when (v1) the limit is below the
    /// group's usage and reclaim failed, [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn set_memory_limit(&self, limit: u64, unit: Unit) -> Result<()> {
        let bytes = limit_bytes(limit, unit, page_size())?;
        let dir = self.dir(Controller::Memory)?;
        dir.write(limit_file(dir.version()), bytes.to_string().as_bytes())
            .map_err(|err| match err {
                Error::Busy { path, .. } => Error::Busy {
                    path,
                    reason: format!(
                        "the limit of {bytes} bytes is below the group's usage and the kernel \
                         could not reclaim enough"
                    ),
                },
                other => other,
            })
    }

    /// Removes the memory limit.
    ///
    /// Fails with [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn reset_memory_limit(&self) -> Result<()> {
        let dir = self.dir(Controller::Memory)?;
        dir.write(
            limit_file(dir.version()),
            unlimited_text(dir.version()).as_bytes(),
        )
    }

    /// Reads the memory limit in bytes; `None` means unlimited.
    ///
    /// Fails with [`Error::ControllerUnavailable`], [`Error::NotFound`] and [`Error::Unsupported`].
    pub fn memory_limit_bytes(&self) -> Result<Option<u64>> {
        let dir = self.dir(Controller::Memory)?;
        let text = dir.read_text(limit_file(dir.version()))?;
        parse_limit(dir.version(), &text, page_size())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_scale_by_1024() {
        assert_eq!(limit_bytes(500, Unit::Megabytes, 4096).unwrap(), 500 << 20);
        assert_eq!(limit_bytes(3, Unit::Gigabytes, 4096).unwrap(), 3 << 30);
        assert_eq!(limit_bytes(7, Unit::Kilobytes, 4096).unwrap(), 7168);
        assert_eq!(limit_bytes(u64::MAX, Unit::Bytes, 4096).unwrap(), u64::MAX);
    }

    #[test]
    fn overflowing_zero_and_sub_page_limits_are_refused() {
        assert!(limit_bytes(u64::MAX / 1024 + 1, Unit::Kilobytes, 4096).is_err());
        assert!(limit_bytes(1 << 34, Unit::Gigabytes, 4096).is_err());
        for (limit, unit) in [
            (0, Unit::Bytes),
            (1, Unit::Bytes),
            (4095, Unit::Bytes),
            (1, Unit::Kilobytes),
        ] {
            assert!(limit_bytes(limit, unit, 4096).is_err(), "{limit} {unit:?}");
        }
        assert!(limit_bytes(4096, Unit::Bytes, 4096).is_ok());
        assert!(
            limit_bytes(4, Unit::Kilobytes, 65536).is_err(),
            "64 KiB pages"
        );
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
