// SPDX-License-Identifier: MIT OR Apache-2.0
//! Interface files a handle has written, kept open: reading a limit back then costs one `pread`
//! instead of `open`, `read` and `close`. A handle keeps at most one descriptor per file it
//! wrote; they are closed with the handle.

use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, PoisonError};

/// The kept descriptors of one group directory, by file name.
#[derive(Debug, Default)]
pub(super) struct KeptFiles(Mutex<Vec<(&'static str, Arc<OwnedFd>)>>);

impl KeptFiles {
    /// The kept descriptor of `file`, if any.
    pub(super) fn get(&self, file: &str) -> Option<Arc<OwnedFd>> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter()
            .find(|(name, _)| *name == file)
            .map(|(_, fd)| Arc::clone(fd))
    }

    /// Keeps `fd` for `file` (replacing an older one).
    pub(super) fn keep(&self, file: &'static str, fd: OwnedFd) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|(name, _)| *name != file);
        kept.push((file, Arc::new(fd)));
    }

    /// Drops the descriptor of `file` (its group or controller went away).
    pub(super) fn forget(&self, file: &str) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|(name, _)| *name != file);
    }
}
