// SPDX-License-Identifier: MIT OR Apache-2.0
//! A statistics reader that keeps its files open: each read is one `pread` per file, the
//! floor for a monitor reading the same groups every second.

use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;

use nix::fcntl::OFlag;

use super::{apply, StatKinds, Stats, Units};
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::layout::Version;
use crate::sys;

/// One kept file.
#[derive(Debug)]
struct Kept {
    fd: OwnedFd,
    version: Version,
    file: &'static str,
    kinds: StatKinds,
}

/// Reads the same statistics of one group again and again through descriptors kept open.
/// Made by [`crate::Cgroup::stats_reader`]; independent of the group handle afterwards. Files
/// the kernel lacks when it is made stay absent.
#[derive(Debug)]
pub struct StatsReader {
    files: Vec<Kept>,
    /// The group's directory, for messages.
    path: PathBuf,
    units: Units,
}

impl StatsReader {
    /// Opens the files of the plan.
    pub(super) fn open<'a>(
        reads: impl Iterator<Item = (&'a GroupDir, Version, &'static str, StatKinds)>,
    ) -> Result<StatsReader> {
        let mut files = Vec::new();
        let mut path = PathBuf::new();
        for (dir, version, file, kinds) in reads {
            if path.as_os_str().is_empty() {
                path = dir.path().to_path_buf();
            }
            match dir.open(file, OFlag::O_RDONLY) {
                Ok(fd) => files.push(Kept {
                    fd,
                    version,
                    file,
                    kinds,
                }),
                Err(Error::Unsupported(_)) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(StatsReader {
            files,
            path,
            units: Units::of_this_system(),
        })
    }

    /// Reads the statistics again (one `pread` per kept file).
    ///
    /// Fails with [`Error::NotFound`] when the group was removed (its files then read ENODEV),
    /// and with the classified OS error of a read.
    pub fn read(&self) -> Result<Stats> {
        let mut stats = Stats::default();
        for kept in &self.files {
            let content = sys::pread_to_end(kept.fd.as_fd(), sys::Records::One)
                .map_err(|e| Error::from_io("read", self.path.join(kept.file), e))?;
            apply(
                kept.kinds,
                kept.version,
                kept.file,
                &content,
                self.units,
                &mut stats,
            );
        }
        Ok(stats)
    }

    /// The number of descriptors the reader holds.
    pub fn descriptors(&self) -> usize {
        self.files.len()
    }
}
