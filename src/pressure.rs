//! Pressure stall information (PSI) of a group: the share of time its tasks waited for CPU,
//! memory or I/O (cgroup2 `cpu.pressure`, `memory.pressure`, `io.pressure`), and triggers — a
//! descriptor that polls `POLLPRI` when the stall time in a window passes a threshold, so that a
//! scheduler can act before the OOM killer does.
//!
//! PSI exists only in cgroup2 groups (Linux 4.20+, `CONFIG_PSI`, not booted with `psi=0`): on
//! v1 hosts, and on hybrid hosts for groups without a cgroup2 directory, it is unsupported.

use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::time::Duration;

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::keyed;
use crate::sys;

use nix::fcntl::OFlag;

/// A resource whose pressure is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// CPU (`cpu.pressure`).
    Cpu,
    /// Memory (`memory.pressure`).
    Memory,
    /// Block I/O (`io.pressure`).
    Io,
}

impl Resource {
    /// The group's file for this resource.
    pub const fn file(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu.pressure",
            Resource::Memory => "memory.pressure",
            Resource::Io => "io.pressure",
        }
    }
}

/// Which stall a line or a trigger measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stall {
    /// Some of the group's tasks were stalled.
    Some,
    /// All of the group's non-idle tasks were stalled at once.
    Full,
}

/// One line of a pressure file: the share of time stalled, in percent, averaged over the last
/// 10, 60 and 300 seconds, and the total stall time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct PressureLine {
    /// Percent of the last 10 s.
    pub avg10: f64,
    /// Percent of the last 60 s.
    pub avg60: f64,
    /// Percent of the last 300 s.
    pub avg300: f64,
    /// Total stall time since the group was made, µs.
    pub total_usec: u64,
}

/// The pressure of one resource in a group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Pressure {
    /// Time some tasks were stalled.
    pub some: PressureLine,
    /// Time all non-idle tasks were stalled at once; `None` where the kernel has no such line
    /// (CPU before Linux 5.13).
    pub full: Option<PressureLine>,
}

/// Parses a pressure file. `None` when the `some` line is missing or malformed.
pub(crate) fn parse(text: &[u8]) -> Option<Pressure> {
    let mut some = None;
    let mut full = None;
    for line in keyed::nested(text) {
        // A share of time: the kernel prints 0.00 to 100.00; anything else is not its line.
        let percent = |key: &str| -> Option<f64> {
            let value: f64 = line.get(key)?.parse().ok()?;
            (0.0..=100.0).contains(&value).then_some(value)
        };
        let parsed = || -> Option<PressureLine> {
            Some(PressureLine {
                avg10: percent("avg10")?,
                avg60: percent("avg60")?,
                avg300: percent("avg300")?,
                total_usec: line.get("total")?.parse().ok()?,
            })
        };
        match line.key {
            "some" => some = parsed(),
            "full" => full = parsed(),
            _ => {}
        }
    }
    Some(Pressure { some: some?, full })
}

/// The shortest and longest trigger windows the kernel accepts.
const WINDOW_MIN: Duration = Duration::from_millis(500);
const WINDOW_MAX: Duration = Duration::from_secs(10);

/// What a trigger writes: `some|full <threshold µs> <window µs>`, with the NUL the kernel
/// expects (it overwrites the last byte written).
pub(crate) fn trigger_text(stall: Stall, threshold: Duration, window: Duration) -> Result<String> {
    if !(WINDOW_MIN..=WINDOW_MAX).contains(&window) {
        return Err(Error::InvalidArgument(format!(
            "pressure trigger window {window:?} is outside the kernel's 500 ms to 10 s"
        )));
    }
    if threshold.is_zero() || threshold > window {
        return Err(Error::InvalidArgument(format!(
            "pressure trigger threshold {threshold:?} must be more than 0 and at most the window \
             {window:?}"
        )));
    }
    let kind = match stall {
        Stall::Some => "some",
        Stall::Full => "full",
    };
    Ok(format!(
        "{kind} {} {}\0",
        threshold.as_micros(),
        window.as_micros()
    ))
}

/// Why the pressure of the group at `path` cannot be read: PSI off in the kernel, or off for
/// the group's subtree.
pub(crate) fn psi_unavailable(path: &Path, file: &str) -> Error {
    if !Path::new("/proc/pressure").exists() {
        return Error::Unsupported(format!(
            "pressure stall information is off in this kernel (/proc/pressure is missing: it \
             needs Linux 4.20+ with CONFIG_PSI, not booted with psi=0), so {} has no {file}",
            path.display()
        ));
    }
    Error::Unsupported(format!(
        "{} has no {file}: pressure stall information is disabled for this subtree \
         (cgroup.pressure is 0 here or above)",
        path.display()
    ))
}

impl Cgroup {
    /// The group's cgroup2 directory, where its pressure files are.
    fn pressure_dir(&self) -> Result<&GroupDir> {
        self.unified_dir().ok_or_else(|| {
            let path = self
                .paths()
                .next()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            Error::Unsupported(format!(
                "group {} has no cgroup2 directory, and pressure stall information is kept for \
                 cgroup2 groups only (on a hybrid host, a group gets one where a controller it \
                 was opened with is attached to the cgroup2 tree)",
                path.display()
            ))
        })
    }

    /// Reads the pressure of `resource` in the group.
    ///
    /// Fails with [`Error::Unsupported`] (with the reason) where the group has no cgroup2
    /// directory or PSI is off, [`Error::NotFound`] when the group was removed.
    pub fn pressure(&self, resource: Resource) -> Result<Pressure> {
        let dir = self.pressure_dir()?;
        let file = resource.file();
        let text = dir.read(file).map_err(|err| match err {
            Error::Unsupported(_) => psi_unavailable(dir.path(), file),
            err if err.os_errno() == libc::EOPNOTSUPP => psi_unavailable(dir.path(), file),
            err => err,
        })?;
        parse(&text).ok_or_else(|| {
            Error::Unsupported(format!(
                "unexpected content in {}: {:?}",
                dir.path().join(file).display(),
                String::from_utf8_lossy(&text)
            ))
        })
    }

    /// Makes a pressure trigger: a descriptor that `poll()` reports with `POLLPRI` each time the
    /// `stall` time of `resource` within `window` exceeds `threshold` (at most once per window).
    /// Close it to remove the trigger. `window` must be within 500 ms and 10 s, and `threshold`
    /// more than 0 and at most `window`; an unprivileged caller needs a window that is a
    /// multiple of 2 s (Linux 6.5+).
    ///
    /// Fails with [`Error::InvalidArgument`] for a window or threshold out of range (nothing is
    /// made), [`Error::Unsupported`] like [`Cgroup::pressure`], [`Error::NotFound`] and
    /// [`Error::Permission`].
    pub fn pressure_trigger(
        &self,
        resource: Resource,
        stall: Stall,
        threshold: Duration,
        window: Duration,
    ) -> Result<OwnedFd> {
        let text = trigger_text(stall, threshold, window)?;
        let dir = self.pressure_dir()?;
        let file = resource.file();
        let unavailable = |err: Error| match err {
            Error::Unsupported(_) => psi_unavailable(dir.path(), file),
            err if err.os_errno() == libc::EOPNOTSUPP => psi_unavailable(dir.path(), file),
            err => err,
        };
        let fd = dir
            .open(file, OFlag::O_RDWR | OFlag::O_NONBLOCK)
            .map_err(unavailable)?;
        sys::write_once(fd.as_fd(), text.as_bytes()).map_err(|e| {
            if e.raw_os_error() == Some(libc::EINVAL) {
                return Error::InvalidArgument(format!(
                    "the kernel refused the pressure trigger {:?} on {} (an unprivileged \
                     caller needs a window that is a multiple of 2 s)",
                    text.trim_end_matches('\0'),
                    dir.path().join(file).display()
                ));
            }
            unavailable(Error::from_io("write", dir.path().join(file), e))
        })?;
        Ok(fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pressure_values_are_parsed_exactly() {
        let text = include_bytes!("../tests/fixtures/v2-6.1/memory.pressure");
        let pressure = parse(text).unwrap();
        assert_eq!(
            pressure.some,
            PressureLine {
                avg10: 32.74,
                avg60: 6.40,
                avg300: 1.35,
                total_usec: 4_051_657
            }
        );
        assert_eq!(pressure.full.unwrap().total_usec, 4_051_657);
        let cpu = parse(include_bytes!("../tests/fixtures/v2-6.1/cpu.pressure")).unwrap();
        assert_eq!((cpu.some.avg10, cpu.some.total_usec), (9.28, 1_883_407));
        assert_eq!(cpu.full.unwrap().total_usec, 1_880_185);
        let idle = parse(include_bytes!("../tests/fixtures/v2-6.1/io.pressure")).unwrap();
        assert_eq!(idle.some, PressureLine::default());
    }

    #[test]
    fn a_file_without_full_line_has_no_full_values() {
        let pressure = parse(b"some avg10=0.50 avg60=0.10 avg300=0.02 total=12345\n").unwrap();
        assert_eq!(pressure.some.avg10, 0.5);
        assert_eq!(pressure.full, None);
    }

    #[test]
    fn malformed_and_truncated_files_are_refused_or_lose_the_broken_line() {
        assert_eq!(parse(b""), None);
        assert_eq!(
            parse(b"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
            None
        );
        assert_eq!(parse(b"some avg10=0.00 avg60=0.00 avg300=0.00 tot"), None);
        assert_eq!(
            parse(b"some avg10=x avg60=0.00 avg300=0.00 total=1\n"),
            None
        );
        let cut = b"some avg10=1.00 avg60=0.00 avg300=0.00 total=5 future=7\nfull avg10=1.0";
        let pressure = parse(cut).unwrap();
        assert_eq!(pressure.some.total_usec, 5);
        assert_eq!(pressure.full, None);
    }

    #[test]
    fn trigger_text_is_microseconds_with_a_terminating_nul() {
        let text = trigger_text(
            Stall::Some,
            Duration::from_millis(150),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(text, "some 150000 1000000\0");
        let full = trigger_text(Stall::Full, Duration::from_secs(2), Duration::from_secs(2));
        assert_eq!(full.unwrap(), "full 2000000 2000000\0");
    }

    #[test]
    fn trigger_windows_and_thresholds_out_of_range_are_refused() {
        let ms = Duration::from_millis;
        for (threshold, window) in [
            (ms(100), ms(499)),
            (ms(100), ms(10_001)),
            (ms(0), ms(1000)),
            (ms(1001), ms(1000)),
        ] {
            assert!(
                matches!(
                    trigger_text(Stall::Some, threshold, window),
                    Err(Error::InvalidArgument(_))
                ),
                "{threshold:?} {window:?}"
            );
        }
    }
}
