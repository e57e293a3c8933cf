// SPDX-License-Identifier: MIT OR Apache-2.0
//! Block I/O caps per device: v2 `io.max` (one line per device, `MAJ:MIN rbps=… wbps=… riops=…
//! wiops=…`, `max` for none), v1 `blkio.throttle.{read,write}_{bps,iops}_device` (one
//! `MAJ:MIN value` line per device, 0 to remove). A device is named `MAJ:MIN` or by a path to
//! its block special file; it must be a whole disk, since the kernel throttles no partition.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::keyed;
use crate::layout::{Controller, Version};

/// The caps of one device; `None` is no cap. Byte rates are per second, as are operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoMax {
    /// Bytes read per second.
    pub read_bps: Option<u64>,
    /// Bytes written per second.
    pub write_bps: Option<u64>,
    /// Read operations per second.
    pub read_iops: Option<u64>,
    /// Write operations per second.
    pub write_iops: Option<u64>,
}

/// The smallest cap v2 accepts (it refuses 0 and 1).
const MIN_CAP: u64 = 2;

/// One of the four caps.
struct Cap {
    /// Its key in v2 `io.max`.
    key: &'static str,
    /// Its v1 file.
    v1_file: &'static str,
    /// The largest value that reads back as set: v2 clamps operation rates to 2^32 - 1, which
    /// it then prints as `max`.
    max: u64,
    /// Its field.
    field: fn(&IoMax) -> Option<u64>,
}

const CAPS: [Cap; 4] = [
    Cap {
        key: "rbps",
        v1_file: "blkio.throttle.read_bps_device",
        max: u64::MAX - 1,
        field: |m| m.read_bps,
    },
    Cap {
        key: "wbps",
        v1_file: "blkio.throttle.write_bps_device",
        max: u64::MAX - 1,
        field: |m| m.write_bps,
    },
    Cap {
        key: "riops",
        v1_file: "blkio.throttle.read_iops_device",
        max: u32::MAX as u64 - 1,
        field: |m| m.read_iops,
    },
    Cap {
        key: "wiops",
        v1_file: "blkio.throttle.write_iops_device",
        max: u32::MAX as u64 - 1,
        field: |m| m.write_iops,
    },
];

impl IoMax {
    /// Checks each cap against what the kernel accepts and reads back.
    fn check(&self) -> Result<()> {
        for cap in &CAPS {
            match (cap.field)(self) {
                Some(value) if !(MIN_CAP..=cap.max).contains(&value) => {
                    return Err(Error::InvalidArgument(format!(
                        "I/O cap {}={value} is outside [{MIN_CAP}, {}] (no value lifts the cap)",
                        cap.key, cap.max
                    )))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn set(&mut self, key: &str, value: Option<u64>) {
        match key {
            "rbps" => self.read_bps = value,
            "wbps" => self.write_bps = value,
            "riops" => self.read_iops = value,
            "wiops" => self.write_iops = value,
            _ => {}
        }
    }
}

/// Resolves a device given as `MAJ:MIN` or as a path to a block special file (symlinks such
/// as `/dev/disk/by-id/…` followed) into `(major, minor)` of a whole disk.
///
/// Fails with [`Error::InvalidArgument`] for a malformed name, a path that is not a block
/// device, a number the kernel has no block device for, and a partition.
pub(crate) fn resolve_device(device: &str) -> Result<(u32, u32)> {
    let invalid = |why: String| Error::InvalidArgument(format!("device {device:?} {why}"));
    let (major, minor) = if device.starts_with('/') {
        let meta =
            std::fs::metadata(device).map_err(|e| invalid(format!("cannot be used: {e}")))?;
        if !meta.file_type().is_block_device() {
            return Err(invalid("is not a block device".into()));
        }
        let rdev = meta.rdev();
        (libc::major(rdev), libc::minor(rdev))
    } else {
        let parsed = device
            .split_once(':')
            .and_then(|(major, minor)| Some((number(major)?, number(minor)?)));
        parsed.ok_or_else(|| invalid("is neither MAJ:MIN nor a /dev path".into()))?
    };
    let sys = format!("/sys/dev/block/{major}:{minor}");
    if !Path::new(&sys).exists() {
        return Err(invalid(format!(
            "({major}:{minor}) is no block device of this system"
        )));
    }
    if Path::new(&sys).join("partition").exists() {
        return Err(invalid(format!(
            "({major}:{minor}) is a partition: the kernel throttles whole disks only"
        )));
    }
    Ok((major, minor))
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses the value of one cap: `max` (v2) or 0 (v1 without a line) is none.
fn parse_cap(text: &str) -> Option<Option<u64>> {
    match text {
        "max" => Some(None),
        value => value.parse().ok().map(|v| (v != 0).then_some(v)),
    }
}

/// The caps of `device` in v2 `io.max` text (no line: no caps).
fn parse_v2(text: &[u8], device: &str) -> Result<IoMax> {
    let mut caps = IoMax::default();
    if let Some(line) = keyed::nested(text).find(|line| line.key == device) {
        for cap in &CAPS {
            if let Some(value) = line.get(cap.key) {
                let parsed = parse_cap(value).ok_or_else(|| {
                    Error::Unsupported(format!("unexpected io.max value {}={value}", cap.key))
                })?;
                caps.set(cap.key, parsed);
            }
        }
    }
    Ok(caps)
}

/// The cap of `device` in a v1 `blkio.throttle.*_device` file (no line: no cap).
fn parse_v1(text: &str, device: &str) -> Result<Option<u64>> {
    for line in text.lines() {
        let mut fields = line.split_ascii_whitespace();
        if fields.next() == Some(device) {
            let value = fields.next().unwrap_or_default();
            return parse_cap(value)
                .ok_or_else(|| Error::Unsupported(format!("unexpected throttle line {line:?}")));
        }
    }
    Ok(None)
}

/// The kernel's refusal to throttle: without the interface file, no I/O throttling at all;
/// with it, ENODEV for this device (which the file gateway reports as a missing file or group).
fn not_throttled(dir: &GroupDir, file: &'static str, err: Error, device: &str) -> Error {
    if !matches!(err, Error::NotFound { .. } | Error::Unsupported(_)) {
        return err;
    }
    match (dir.exists(), dir.has_file(file)) {
        (Ok(true), Ok(false)) => Error::Unsupported(format!(
            "{} does not exist: this kernel has no block I/O throttling \
             (CONFIG_BLK_DEV_THROTTLING)",
            dir.path().join(file).display()
        )),
        (Ok(true), Ok(true)) => Error::Unsupported(format!(
            "the kernel cannot throttle device {device} in {}: its driver does not support \
             cgroup I/O control",
            dir.path().display()
        )),
        _ => err,
    }
}

impl Cgroup {
    /// Caps the group's I/O on `device` (`"MAJ:MIN"` or a path such as `/dev/sda`, a whole
    /// disk): each `Some` field is a cap, each `None` lifts that cap. v2 `io.max`; v1
    /// `blkio.throttle.*_device`.
    ///
    /// Fails with [`Error::InvalidArgument`] for a malformed, unknown or non-block device, a
    /// partition, or a cap below 2 or one that would not read back (operations ≥ 2^32 - 1)
    /// (nothing is written); [`Error::Unsupported`] when the kernel has no I/O throttling
    /// (`CONFIG_BLK_DEV_THROTTLING`) or cannot throttle that device; and
    /// [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn set_io_max(&self, device: &str, caps: IoMax) -> Result<()> {
        caps.check()?;
        let dir = self.dir(Controller::Io)?;
        let (major, minor) = resolve_device(device)?;
        let device = format!("{major}:{minor}");
        let value =
            |cap: Option<u64>, none: &str| cap.map_or_else(|| none.to_string(), |v| v.to_string());
        match dir.version() {
            Version::V2 => {
                let line = CAPS
                    .iter()
                    .map(|cap| format!("{}={}", cap.key, value((cap.field)(&caps), "max")))
                    .collect::<Vec<_>>()
                    .join(" ");
                dir.write("io.max", format!("{device} {line}").as_bytes())
                    .map_err(|err| not_throttled(dir, "io.max", err, &device))
            }
            Version::V1 => {
                for cap in &CAPS {
                    dir.write(
                        cap.v1_file,
                        format!("{device} {}", value((cap.field)(&caps), "0")).as_bytes(),
                    )
                    .map_err(|err| not_throttled(dir, cap.v1_file, err, &device))?;
                }
                Ok(())
            }
        }
    }

    /// Reads the group's I/O caps on `device` (named as for [`Cgroup::set_io_max`]); a device
    /// with nothing configured has every field `None`.
    ///
    /// Fails like [`Cgroup::set_io_max`], except for the cap checks.
    pub fn io_max(&self, device: &str) -> Result<IoMax> {
        let dir = self.dir(Controller::Io)?;
        let (major, minor) = resolve_device(device)?;
        let device = format!("{major}:{minor}");
        match dir.version() {
            Version::V2 => {
                let text = dir
                    .read("io.max")
                    .map_err(|err| not_throttled(dir, "io.max", err, &device))?;
                parse_v2(&text, &device)
            }
            Version::V1 => {
                let mut caps = IoMax::default();
                for cap in &CAPS {
                    let text = dir
                        .read_text(cap.v1_file)
                        .map_err(|err| not_throttled(dir, cap.v1_file, err, &device))?;
                    caps.set(cap.key, parse_v1(&text, &device)?);
                }
                Ok(caps)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_below_two_or_not_read_back_are_refused() {
        let ok = IoMax {
            read_bps: Some(2),
            write_bps: Some(1 << 40),
            read_iops: None,
            write_iops: Some(u32::MAX as u64 - 1),
        };
        assert!(ok.check().is_ok());
        for bad in [
            IoMax {
                read_bps: Some(0),
                ..IoMax::default()
            },
            IoMax {
                write_bps: Some(1),
                ..IoMax::default()
            },
            IoMax {
                read_iops: Some(u32::MAX as u64),
                ..IoMax::default()
            },
            IoMax {
                write_bps: Some(u64::MAX),
                ..IoMax::default()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn malformed_and_unknown_devices_are_refused() {
        for bad in [
            "",
            "8",
            "8:",
            ":0",
            "a:b",
            "8:0:1",
            "-1:0",
            "/dev/null",
            "/nonexistent",
            "4095:1048575",
        ] {
            assert!(
                matches!(resolve_device(bad), Err(Error::InvalidArgument(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn v2_lines_give_the_device_caps() {
        let text = b"8:0 rbps=1048576 wbps=max riops=max wiops=120\n254:0 rbps=2 wbps=max riops=max wiops=max\n";
        assert_eq!(
            parse_v2(text, "8:0").unwrap(),
            IoMax {
                read_bps: Some(1 << 20),
                write_bps: None,
                read_iops: None,
                write_iops: Some(120)
            }
        );
        assert_eq!(parse_v2(text, "7:0").unwrap(), IoMax::default());
    }

    #[test]
    fn v1_lines_give_the_device_cap() {
        let text = "8:0 1048576\n254:0 300\n";
        assert_eq!(parse_v1(text, "254:0").unwrap(), Some(300));
        assert_eq!(parse_v1(text, "7:0").unwrap(), None);
        assert_eq!(parse_v1("", "7:0").unwrap(), None);
    }
}
