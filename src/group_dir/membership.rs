// SPDX-License-Identifier: MIT OR Apache-2.0
//! The processes of a group's directory: listing them, moving one in, and the async-signal-safe
//! self-attach for a child between `fork` and `exec`.

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::fcntl::OFlag;

use super::{is_missing, GroupDir};
use crate::error::{Error, Result};
use crate::migrate;
use crate::procfs;
use crate::procfs::process::Status;
use crate::sys;

/// The processes listed in a group's `cgroup.procs`.
#[derive(Debug, Default)]
pub(crate) struct Members {
    /// The pids visible from the caller's pid namespace.
    pub visible: Vec<libc::pid_t>,
    /// How many members live outside the caller's pid namespace (the kernel lists them as 0):
    /// they can be neither named nor moved from here.
    pub hidden: usize,
}

impl Members {
    /// Adds the pids of a `cgroup.procs` content.
    fn extend(&mut self, procs: &[u8]) {
        for pid in procs
            .split(u8::is_ascii_whitespace)
            .filter_map(|p| std::str::from_utf8(p).ok()?.parse::<libc::pid_t>().ok())
        {
            if pid > 0 {
                self.visible.push(pid);
            } else {
                self.hidden += 1;
            }
        }
    }
}

impl GroupDir {
    /// The group's own processes (not those of its child groups).
    ///
    /// Fails with [`Error::NotFound`] when the group was removed.
    pub(crate) fn members(&self) -> Result<Members> {
        let text = self.read("cgroup.procs")?;
        let mut members = Members::default();
        members.extend(&text);
        Ok(members)
    }

    /// The processes of the group and of all its descendant groups. Child groups removed
    /// while they are listed are skipped.
    ///
    /// Fails with [`Error::NotFound`] when the group was removed.
    pub(crate) fn members_below(&self) -> Result<Members> {
        let mut members = self.members()?;
        let own = sys::reopen_dir(self.fd()).map_err(|e| Error::from_io("open", self.path(), e))?;
        let mut pending = vec![(own, self.path().to_path_buf())];
        while let Some((dir, path)) = pending.pop() {
            let children = match sys::subdirectories(dir.as_fd()) {
                Err(e) if is_missing(&e) => continue,
                result => result.map_err(|e| Error::from_io("list", &path, e))?,
            };
            for name in children {
                let name = std::ffi::OsStr::from_bytes(name.to_bytes());
                let child_path = path.join(name);
                let child = match sys::open_dir_beneath(dir.as_fd(), Path::new(name)) {
                    Err(e) if is_missing(&e) => continue,
                    result => result.map_err(|e| Error::from_io("open", &child_path, e))?,
                };
                match sys::read_file_at(child.as_fd(), "cgroup.procs") {
                    Err(e) if is_missing(&e) => continue,
                    Err(e) => {
                        return Err(Error::from_io("read", child_path.join("cgroup.procs"), e))
                    }
                    Ok(text) => members.extend(&text),
                }
                pending.push((child, child_path));
            }
        }
        Ok(members)
    }

    /// Whether the cgroup `path` (as `/proc/<pid>/cgroup` names it) is this directory or lies
    /// below it. Where another user may rename and replace groups in the user's directory, this
    /// is decided by identity (the directory at `path` or at one of its ancestors is this one: a
    /// renamed group keeps its identity, a decoy at its old name does not), elsewhere by name.
    ///
    /// Fails when the user's directory or this one cannot be examined (`stat`).
    pub(crate) fn holds(&self, path: &Path) -> Result<bool> {
        if !self.subtree.shared_with_another_user()? {
            return Ok(procfs::cgroup::is_within(path, &self.cgroup_path()));
        }
        let Ok(relative) = path.strip_prefix(self.subtree.cgroup_path_of(Path::new(""))) else {
            return Ok(false);
        };
        let own = sys::stat(self.fd()).map_err(|e| Error::from_io("stat", self.path(), e))?;
        let is_own = |candidate: &Path| {
            sys::stat_at(self.subtree.base(), candidate)
                .is_ok_and(|named| (named.dev, named.ino) == (own.dev, own.ino))
        };
        Ok(relative
            .ancestors()
            .filter(|candidate| !candidate.as_os_str().is_empty())
            .any(is_own))
    }

    /// Moves process `pid` (whose status is `status`) into this directory.
    ///
    /// Fails with [`Error::Permission`] when the directory's or the user directory's owner is
    /// neither root nor the process's user (see [`migrate::check_owner`]) or the kernel refuses,
    /// and like
    /// [`migrate::write_pid`].
    pub(crate) fn add(&self, pid: libc::pid_t, status: &Status) -> Result<()> {
        let procs_path = self.path().join("cgroup.procs");
        self.subtree()
            .check_owners(pid, status, self.owner, &procs_path)?;
        let procs = sys::open_file_at(self.fd(), "cgroup.procs", OFlag::O_WRONLY).map_err(|e| {
            if is_missing(&e) {
                self.not_found()
            } else {
                Error::from_io("open", &procs_path, e).with_permission_hint(migrate::NOT_DELEGATED)
            }
        })?;
        migrate::write_pid(procs.as_fd(), &procs_path, self.version(), pid)
    }

    /// Moves the calling process into this directory by writing `0` to its `cgroup.procs`.
    ///
    /// Async-signal-safe: `openat`, `write` and `close` only; no allocation, no lock, no
    /// thread-local. Returns the OS error (ENOENT when the group was removed).
    pub(crate) fn attach_self(&self) -> io::Result<()> {
        // SAFETY: a valid directory descriptor and a NUL-terminated name; openat is
        // async-signal-safe.
        let fd = unsafe {
            libc::openat(
                self.fd.as_raw_fd(),
                c"cgroup.procs".as_ptr(),
                libc::O_WRONLY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is open and the buffer is one valid byte.
        let written = unsafe { libc::write(fd, b"0".as_ptr().cast(), 1) };
        let error = (written != 1).then(io::Error::last_os_error);
        // SAFETY: `fd` was opened above and is closed once.
        unsafe { libc::close(fd) };
        match error {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}
