// SPDX-License-Identifier: MIT OR Apache-2.0
//! Memory limit: v2 `memory.max`, v1 `memory.limit_in_bytes`, and the unit conversions; the
//! throttling threshold (v2 `memory.high`; v1 has none) and the swap limit (v2
//! `memory.swap.max`; v1 `memory.memsw.limit_in_bytes`, which counts memory + swap and so is
//! rewritten whenever the memory limit changes, in the order the kernel accepts: it refuses a
//! memory + swap limit below the memory limit).
//!
//! The kernel keeps limits in pages: a limit is rounded down to a multiple of the page size
//! (4096 bytes on most machines), and reads back rounded. A limit below one page would read back
//! as 0 and is refused.

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
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

/// Converts a size in `unit` to bytes, where 0 is allowed (a swap limit of none).
///
/// Fails with [`Error::InvalidArgument`] for a product that overflows 64 bits.
fn size_bytes(size: u64, unit: Unit, what: &str) -> Result<u64> {
    size.checked_mul(unit.bytes())
        .ok_or_else(|| Error::InvalidArgument(format!("{what} {size} {unit:?} overflows 64 bits")))
}

/// The v1 file of memory + swap.
const MEMSW_FILE: &str = "memory.memsw.limit_in_bytes";

/// The explanation of a limit below the group's usage.
fn below_usage(err: Error, bytes: u64) -> Error {
    match err {
        Error::Busy { path, .. } => Error::Busy {
            path,
            reason: format!(
                "the limit of {bytes} bytes is below the group's usage and the kernel could not \
                 reclaim enough"
            ),
        },
        other => other,
    }
}

/// The error of a swap interface this kernel lacks, naming what is missing.
fn no_swap_accounting(err: Error, file: &str) -> Error {
    match err {
        Error::Unsupported(_) => Error::Unsupported(format!(
            "{file} does not exist: this kernel does not account swap per group (it needs \
             CONFIG_MEMCG_SWAP and no swapaccount=0 on the kernel command line{})",
            if file == MEMSW_FILE {
                "; on cgroup v1, swapaccount=1"
            } else {
                ""
            }
        )),
        other => other,
    }
}

/// A v1 group's memory + swap limit in bytes (`None`: unlimited); [`Error::Unsupported`]
/// without swap accounting.
fn v1_memsw(dir: &GroupDir, page_size: u64) -> Result<Option<u64>> {
    parse_limit(Version::V1, &dir.read_text(MEMSW_FILE)?, page_size)
}

/// A v1 group's memory limit in bytes (`None`: unlimited).
fn v1_memory(dir: &GroupDir, page_size: u64) -> Result<Option<u64>> {
    parse_limit(
        Version::V1,
        &dir.read_text(limit_file(Version::V1))?,
        page_size,
    )
}

/// Writes a v1 memory limit (`None`: unlimited) and keeps the swap amount on top of it
/// (memory + swap = memsw), writing the two files in the order the kernel accepts: memsw
/// first when the limit rises, last when it falls. If the second write fails, the first is
/// undone. The kernel keeps memsw at least the memory limit, so an unlimited memsw (the
/// default) means there is no swap amount to keep, and one read settles it (none in a group the
/// handle made and whose memsw it never wrote).
fn set_v1_memory(dir: &GroupDir, new: Option<u64>) -> Result<()> {
    // A group this handle made and whose memsw it never wrote has the default, unlimited; if
    // another process set one meanwhile, the kernel refuses a memory limit above it (EINVAL),
    // and the values are read after all.
    if dir.holds_default(MEMSW_FILE) {
        match set_v1_memory_with(dir, new, true) {
            Err(Error::Os { source, .. }) if source.raw_os_error() == Some(libc::EINVAL) => {}
            result => return result,
        }
    }
    set_v1_memory_with(dir, new, false)
}

/// [`set_v1_memory`], knowing memsw is the default (`memsw_default`) or reading it.
fn set_v1_memory_with(dir: &GroupDir, new: Option<u64>, memsw_default: bool) -> Result<()> {
    let page_size = page_size();
    let text = |limit: Option<u64>| limit.map_or_else(|| "-1".to_string(), |b| b.to_string());
    let old_memsw = if memsw_default {
        None
    } else {
        match v1_memsw(dir, page_size) {
            Ok(Some(memsw)) => Some(memsw),
            Ok(None) | Err(Error::Unsupported(_)) => None,
            Err(err) => return Err(err),
        }
    };
    let limits = match old_memsw {
        Some(memsw) => v1_memory(dir, page_size)?.map(|old| (old, memsw)),
        None => None,
    };
    let Some((old, old_memsw)) = limits else {
        return dir
            .write(limit_file(Version::V1), text(new).as_bytes())
            .map_err(|err| below_usage(err, new.unwrap_or(u64::MAX)));
    };
    let swap = old_memsw.saturating_sub(old);
    // Without a memory limit v1 cannot cap swap: memsw must be at least the memory limit.
    let new_memsw = match new {
        Some(bytes) => Some(bytes.checked_add(swap).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "memory limit {bytes} plus the group's swap limit {swap} overflows 64 bits"
            ))
        })?),
        None => None,
    };
    let rising = match new {
        Some(new) => new >= old,
        None => true,
    };
    let (first, first_value, first_old, second, second_value) = if rising {
        (
            MEMSW_FILE,
            new_memsw,
            old_memsw,
            limit_file(Version::V1),
            new,
        )
    } else {
        (limit_file(Version::V1), new, old, MEMSW_FILE, new_memsw)
    };
    dir.write(first, text(first_value).as_bytes())
        .map_err(|err| below_usage(err, first_value.unwrap_or(u64::MAX)))?;
    dir.write(second, text(second_value).as_bytes())
        .map_err(|err| {
            let _ = dir.write(first, first_old.to_string().as_bytes());
            below_usage(err, second_value.unwrap_or(u64::MAX))
        })
}

impl Cgroup {
    /// Limits the group's memory to `limit` `unit`s (rounded down to whole pages by the kernel).
    /// On v1 a limit below the group's usage makes the kernel reclaim, and fails if it cannot;
    /// on v2 it reclaims, and the OOM killer kills members of the group if that is not enough.
    /// On v1 with a swap limit, the swap amount stays what it was (memory + swap moves with
    /// the memory limit).
    ///
    /// Fails with [`Error::InvalidArgument`] for less than one page (0 included) or a size that
    /// overflows 64 bits (nothing is written), [`Error::Busy`] when (v1) the limit is below the
    /// group's usage and reclaim failed, [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn set_memory_limit(&self, limit: u64, unit: Unit) -> Result<()> {
        let bytes = limit_bytes(limit, unit, page_size())?;
        let dir = self.dir(Controller::Memory)?;
        match dir.version() {
            Version::V2 => dir
                .write(limit_file(Version::V2), bytes.to_string().as_bytes())
                .map_err(|err| below_usage(err, bytes)),
            Version::V1 => set_v1_memory(dir, Some(bytes)),
        }
    }

    /// Removes the memory limit. On v1 this lifts the swap limit too: v1 cannot cap swap
    /// without capping memory.
    ///
    /// Fails with [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn reset_memory_limit(&self) -> Result<()> {
        let dir = self.dir(Controller::Memory)?;
        match dir.version() {
            Version::V2 => dir.write(
                limit_file(Version::V2),
                unlimited_text(Version::V2).as_bytes(),
            ),
            Version::V1 => set_v1_memory(dir, None),
        }
    }

    /// Sets the throttling threshold: above `limit` `unit`s the group's processes are slowed
    /// down and its memory reclaimed hard, but never OOM-killed for it (v2 `memory.high`).
    ///
    /// Fails with [`Error::InvalidArgument`] for less than one page (0 included) or a size that
    /// overflows 64 bits (nothing is written), [`Error::Unsupported`] on cgroup v1, which has
    /// no such threshold, [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn set_memory_high(&self, limit: u64, unit: Unit) -> Result<()> {
        let bytes = limit_bytes(limit, unit, page_size())?;
        self.memory_high_dir()?
            .write("memory.high", bytes.to_string().as_bytes())
    }

    /// Removes the throttling threshold.
    ///
    /// Fails like [`Cgroup::set_memory_high`], except for the size checks.
    pub fn reset_memory_high(&self) -> Result<()> {
        self.memory_high_dir()?.write("memory.high", b"max")
    }

    /// Reads the throttling threshold in bytes; `None` means none.
    ///
    /// Fails like [`Cgroup::reset_memory_high`].
    pub fn memory_high_bytes(&self) -> Result<Option<u64>> {
        let text = self.memory_high_dir()?.read_text("memory.high")?;
        parse_limit(Version::V2, &text, page_size())
    }

    fn memory_high_dir(&self) -> Result<&GroupDir> {
        let dir = self.dir(Controller::Memory)?;
        if dir.version() == Version::V1 {
            return Err(Error::Unsupported(format!(
                "{}: memory.high exists only in cgroup v2; the v1 memory controller has no \
                 throttling threshold (memory.soft_limit_in_bytes is a reclaim hint)",
                dir.path().display()
            )));
        }
        Ok(dir)
    }

    /// Limits the swap the group may use to `limit` `unit`s on top of its memory (0: no swap).
    /// v2 `memory.swap.max`; v1 `memory.memsw.limit_in_bytes` = the memory limit + `limit`,
    /// so on v1 the group needs a memory limit first.
    ///
    /// Fails with [`Error::InvalidArgument`] for a size that overflows 64 bits (also with the
    /// memory limit added, on v1) and on v1 without a memory limit (nothing is written),
    /// [`Error::Unsupported`] when the kernel does not account swap,
    /// [`Error::Busy`] (v1) when the group's memory + swap usage is above the new limit,
    /// [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn set_swap_limit(&self, limit: u64, unit: Unit) -> Result<()> {
        let swap = size_bytes(limit, unit, "swap limit")?;
        let dir = self.dir(Controller::Memory)?;
        match dir.version() {
            Version::V2 => dir
                .write("memory.swap.max", swap.to_string().as_bytes())
                .map_err(|err| no_swap_accounting(err, "memory.swap.max")),
            Version::V1 => {
                v1_memsw(dir, page_size()).map_err(|err| no_swap_accounting(err, MEMSW_FILE))?;
                let Some(memory) = v1_memory(dir, page_size())? else {
                    return Err(Error::InvalidArgument(format!(
                        "{}: on cgroup v1 swap is limited together with memory \
                         ({MEMSW_FILE} = memory + swap), so the group needs a memory limit \
                         before a swap limit",
                        dir.path().display()
                    )));
                };
                let total = memory.checked_add(swap).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "swap limit {swap} plus the memory limit {memory} overflows 64 bits"
                    ))
                })?;
                dir.write(MEMSW_FILE, total.to_string().as_bytes())
                    .map_err(|err| below_usage(err, total))
            }
        }
    }

    /// Lets the group use swap without a limit of its own.
    ///
    /// Fails with [`Error::Unsupported`] when the kernel does not account swap,
    /// [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn reset_swap_limit(&self) -> Result<()> {
        let dir = self.dir(Controller::Memory)?;
        let (file, text) = match dir.version() {
            Version::V2 => ("memory.swap.max", "max"),
            Version::V1 => (MEMSW_FILE, "-1"),
        };
        dir.write(file, text.as_bytes())
            .map_err(|err| no_swap_accounting(err, file))
    }

    /// Reads the swap limit in bytes (on v1: memory + swap minus memory); `None` means none.
    ///
    /// Fails like [`Cgroup::reset_swap_limit`].
    pub fn swap_limit_bytes(&self) -> Result<Option<u64>> {
        let dir = self.dir(Controller::Memory)?;
        match dir.version() {
            Version::V2 => {
                let text = dir
                    .read_text("memory.swap.max")
                    .map_err(|err| no_swap_accounting(err, "memory.swap.max"))?;
                parse_limit(Version::V2, &text, page_size())
            }
            Version::V1 => {
                let memsw = v1_memsw(dir, page_size())
                    .map_err(|err| no_swap_accounting(err, MEMSW_FILE))?;
                Ok(match (v1_memory(dir, page_size())?, memsw) {
                    (Some(memory), Some(memsw)) => Some(memsw.saturating_sub(memory)),
                    _ => None,
                })
            }
        }
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
