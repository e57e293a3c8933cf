//! A group's directory in one hierarchy, held by a descriptor: the one gateway to a group's
//! interface files. It reads and writes them (classifying errors in one place), re-enables a v2
//! controller disabled above the group and retries, moves processes in and out, and removes the
//! directory.
//!
//! The descriptor keeps meaning the directory that was opened: if someone renames the group
//! and puts another directory at its name, or removes it and makes a new one, every call still
//! acts on the original (or reports it gone), never on the newcomer.

mod core_files;
mod kept_files;
mod membership;
mod removal;

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

pub(crate) use core_files::CoreEvents;
use kept_files::KeptFiles;

use nix::fcntl::OFlag;

use crate::error::{Error, Result};
use crate::layout::{Controllers, Version};
use crate::subtree::Subtree;
use crate::sys;

/// One group's directory in one hierarchy.
#[derive(Debug)]
pub(crate) struct GroupDir {
    subtree: Arc<Subtree>,
    fd: OwnedFd,
    /// The directory relative to the subtree's base (`<user>/<name>`).
    relative: PathBuf,
    /// The directory's path, for messages and [`crate::Cgroup::paths`].
    path: PathBuf,
    /// The controllers this directory serves for the group.
    controllers: Controllers,
    /// The directory's owner: processes of other users are not put into a group that a
    /// non-root user owns.
    owner: u32,
    /// Interface files written through this handle, kept open for reading back.
    kept: KeptFiles,
    /// Set when this handle made the directory: until the handle writes a file, the file holds
    /// the kernel's default (see [`GroupDir::holds_default`]).
    made_here: AtomicBool,
    /// The files this handle has written.
    written: Mutex<Vec<&'static str>>,
}

impl GroupDir {
    /// A group directory opened as `fd` at `relative` below `subtree`'s base.
    pub(crate) fn new(
        subtree: Arc<Subtree>,
        fd: OwnedFd,
        relative: PathBuf,
        controllers: Controllers,
        owner: u32,
    ) -> GroupDir {
        let path = subtree.path_of(&relative);
        GroupDir {
            subtree,
            fd,
            relative,
            path,
            controllers,
            owner,
            kept: KeptFiles::default(),
            made_here: AtomicBool::new(false),
            written: Mutex::new(Vec::new()),
        }
    }

    /// Records that this handle made the directory (rather than loading an existing group).
    pub(crate) fn mark_made_here(&self) {
        self.made_here.store(true, Ordering::Relaxed);
    }

    /// Whether `file` still holds the kernel's default value as far as this handle knows: the
    /// handle made the group and has not written the file since. A read saved on the strength
    /// of this would miss only a value written by another process into a group this handle
    /// just made.
    pub(crate) fn holds_default(&self, file: &str) -> bool {
        self.made_here.load(Ordering::Relaxed)
            && !self
                .written
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(&file)
    }

    /// The directory's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The directory as `/proc/<pid>/cgroup` names it.
    pub(crate) fn cgroup_path(&self) -> PathBuf {
        self.subtree.cgroup_path_of(&self.relative)
    }

    /// The interface version of the hierarchy.
    pub(crate) fn version(&self) -> Version {
        self.subtree.version()
    }

    /// The controllers this directory serves for the group.
    pub(crate) fn controllers(&self) -> Controllers {
        self.controllers
    }

    /// The directory's descriptor (`O_PATH`).
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The subtree the group is in.
    pub(crate) fn subtree(&self) -> &Subtree {
        &self.subtree
    }

    /// Reads the interface file `file` (through its kept descriptor when this handle wrote it).
    ///
    /// Fails with [`Error::NotFound`] when the group was removed, [`Error::Unsupported`] when the
    /// file does not exist in a group that does, and with the classified OS error otherwise.
    pub(crate) fn read(&self, file: &'static str) -> Result<Vec<u8>> {
        if let Some(fd) = self.kept.get(file) {
            match sys::pread_to_end(fd.as_fd(), sys::Records::of(file)) {
                Err(e) if is_missing(&e) => self.kept.forget(file),
                result => return result.map_err(|e| self.file_error("read", file, e)),
            }
        }
        self.on_file("read", file, |dir| sys::read_file_at(dir, file))
    }

    /// Reads the interface file `file` as text (cgroup files are ASCII).
    pub(crate) fn read_text(&self, file: &'static str) -> Result<String> {
        let bytes = self.read(file)?;
        String::from_utf8(bytes).map_err(|_| {
            Error::Unsupported(format!(
                "{} holds text that is not UTF-8",
                self.path.join(file).display()
            ))
        })
    }

    /// Writes `value` to the interface file `file` in one `write`, and keeps the file open
    /// (read-write where the kernel allows) so that reading the value back costs one `pread`.
    /// Fails like [`GroupDir::read`].
    pub(crate) fn write(&self, file: &'static str, value: &[u8]) -> Result<()> {
        {
            let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
            if !written.contains(&file) {
                written.push(file);
            }
        }
        if let Some(fd) = self.kept.get(file) {
            match sys::write_once(fd.as_fd(), value) {
                Err(e) if is_missing(&e) => self.kept.forget(file),
                result => return result.map_err(|e| self.file_error("write", file, e)),
            }
        }
        let written = self.on_file("write", file, |dir| {
            let (fd, readable) = match sys::open_file_at(dir, file, OFlag::O_RDWR) {
                Err(e) if e.raw_os_error() == Some(libc::EACCES) => {
                    (sys::open_file_at(dir, file, OFlag::O_WRONLY)?, false)
                }
                result => (result?, true),
            };
            sys::write_once(fd.as_fd(), value)?;
            Ok(readable.then_some(fd))
        })?;
        if let Some(fd) = written {
            self.kept.keep(file, fd);
        }
        Ok(())
    }

    /// Whether the interface file `file` exists in the group.
    pub(crate) fn has_file(&self, file: &str) -> Result<bool> {
        sys::exists_at(self.fd(), file).map_err(|e| Error::from_io("stat", self.path.join(file), e))
    }

    /// Opens the interface file `file` with `flags` (`O_CLOEXEC | O_NOFOLLOW` added) for a
    /// caller that keeps the descriptor: a statistics reader, a watch, a pressure trigger.
    /// Fails like [`GroupDir::read`].
    pub(crate) fn open(&self, file: &'static str, flags: OFlag) -> Result<OwnedFd> {
        self.on_file("open", file, |dir| sys::open_file_at(dir, file, flags))
    }

    /// Whether the group still exists (every cgroup has `cgroup.procs`).
    pub(crate) fn exists(&self) -> Result<bool> {
        sys::exists_at(self.fd(), "cgroup.procs").map_err(|e| Error::from_io("stat", &self.path, e))
    }

    /// A new `O_RDONLY | O_DIRECTORY | O_CLOEXEC` descriptor of the directory (not `O_PATH`),
    /// for callers that hand it to `clone3`, Go's `CgroupFD` or `openat`.
    ///
    /// Fails with [`Error::NotFound`] when the group was removed (a removed directory can still
    /// be reopened through the held descriptor, but has no files left).
    pub(crate) fn open_readable(&self) -> Result<OwnedFd> {
        let fd = sys::open_dir_readable(self.fd()).map_err(|e| {
            if is_missing(&e) {
                self.not_found()
            } else {
                Error::from_io("open", &self.path, e)
            }
        })?;
        if !self.exists()? {
            return Err(self.not_found());
        }
        Ok(fd)
    }

    /// Runs `operation` on one of the group's files. A missing file in a group that still exists
    /// means, on v2, that a controller was disabled above the group since it was opened: it is
    /// enabled again and the operation retried once; elsewhere the kernel lacks the file.
    fn on_file<T>(
        &self,
        action: &'static str,
        file: &'static str,
        operation: impl Fn(BorrowedFd<'_>) -> io::Result<T>,
    ) -> Result<T> {
        match operation(self.fd()) {
            Err(e) if is_missing(&e) => {
                if !self.exists()? {
                    return Err(self.not_found());
                }
                if self.version() == Version::V2 {
                    self.subtree.enable_v2_controllers(
                        self.fd(),
                        &self.relative,
                        self.controllers,
                    )?;
                    return operation(self.fd()).map_err(|e| self.file_error(action, file, e));
                }
                Err(self.file_error(action, file, e))
            }
            result => result.map_err(|e| self.file_error(action, file, e)),
        }
    }

    /// A missing file in an existing group is an interface this kernel lacks.
    fn file_error(&self, action: &'static str, file: &'static str, source: io::Error) -> Error {
        let path = self.path.join(file);
        if is_missing(&source) && self.exists().unwrap_or(false) {
            return Error::Unsupported(format!("{} does not exist on this kernel", path.display()));
        }
        Error::from_io(action, path, source)
    }

    pub(crate) fn not_found(&self) -> Error {
        Error::NotFound {
            path: self.path.clone(),
        }
    }
}

/// Whether an error says a file (or its group) is gone.
pub(crate) fn is_missing(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOENT) | Some(libc::ENODEV))
}
