// SPDX-License-Identifier: MIT OR Apache-2.0
//! cgroup v1 sources of events. OOM: the kernel signals an eventfd registered through
//! `cgroup.event_control` on `memory.oom_control`. Emptiness, the freezer state and refused
//! forks: v1 has no notification for them (its release agent belongs to the host, and v1
//! `pids.events` is not notified), so the watch's timer checks `cgroup.procs` (of the group and
//! its child groups), `freezer.state` and `pids.events`.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;

use nix::dir::{Dir, Type};
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use super::checks::{Edge, KeptFile};
use super::Events;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::sys;

/// Opens `memory.oom_control` and asks the kernel to signal `eventfd` on each OOM in the
/// group. Returns the open `memory.oom_control` (its `oom_kill` counter tells kills apart).
pub(super) fn register_oom(dir: &GroupDir, eventfd: BorrowedFd<'_>) -> Result<KeptFile> {
    let oom_control = kept(dir, "memory.oom_control")?;
    let control = dir.open("cgroup.event_control", OFlag::O_WRONLY)?;
    let request = format!("{} {}", eventfd.as_raw_fd(), oom_control.fd.as_raw_fd());
    sys::write_once(control.as_fd(), request.as_bytes())
        .map_err(|e| Error::from_io("write", dir.path().join("cgroup.event_control"), e))?;
    Ok(oom_control)
}

/// Opens `file` of `dir` for reading again and again.
pub(super) fn kept(dir: &GroupDir, file: &'static str) -> Result<KeptFile> {
    Ok(KeptFile {
        fd: dir.open(file, OFlag::O_RDONLY)?,
        path: dir.path().join(file),
    })
}

/// One hierarchy's directory of the group, for the emptiness check. Its `cgroup.procs` is
/// opened anew at each check: v1 serves a descriptor kept open from a cached pid list, which
/// lingers while it is read again and again.
#[derive(Debug)]
struct Member {
    dir: OwnedFd,
    path: PathBuf,
}

/// EMPTY on v1: no process left in the group nor its child groups, in any of its hierarchies.
#[derive(Debug)]
pub(super) struct Populated {
    members: Vec<Member>,
    empty: Edge,
}

impl Populated {
    /// Checks the group's directories now; an empty group reports EMPTY at the first read.
    pub(super) fn new<'a>(dirs: impl Iterator<Item = &'a GroupDir>) -> Result<(Populated, Events)> {
        let mut members = Vec::new();
        for dir in dirs {
            let fd =
                sys::reopen_dir(dir.fd()).map_err(|e| Error::from_io("open", dir.path(), e))?;
            members.push(Member {
                dir: fd,
                path: dir.path().to_path_buf(),
            });
        }
        let mut check = Populated {
            members,
            empty: Edge {
                event: Events::EMPTY,
                last: false,
            },
        };
        let initial = check.check()?;
        Ok((check, initial))
    }

    /// EMPTY if the group became empty since the last check.
    pub(super) fn check(&mut self) -> Result<Events> {
        let mut populated = false;
        for member in &self.members {
            let procs = sys::read_file_at(member.dir.as_fd(), "cgroup.procs")
                .map_err(|e| Error::from_io("read", member.path.join("cgroup.procs"), e))?;
            if has_processes(&procs)
                || children_have_processes(member.dir.as_fd())
                    .map_err(|e| Error::from_io("read", &member.path, e))?
            {
                populated = true;
                break;
            }
        }
        Ok(self.empty.update(!populated))
    }
}

fn has_processes(procs: &[u8]) -> bool {
    procs.iter().any(u8::is_ascii_digit)
}

/// Whether a child group of `dir` (at any depth) has a process. kernfs keeps a directory's
/// link count at 2 + its subdirectories, so a leaf costs one `fstat`.
fn children_have_processes(dir: BorrowedFd<'_>) -> io::Result<bool> {
    if sys::stat(dir)?.nlink <= 2 {
        return Ok(false);
    }
    let mut listing = Dir::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let children: Vec<PathBuf> = listing
        .iter()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type() == Some(Type::Directory))
        .filter_map(|entry| {
            let name = entry.file_name().to_str().ok()?;
            (name != "." && name != "..").then(|| PathBuf::from(name))
        })
        .collect();
    for child in children {
        let child = match sys::open_dir_beneath(dir, &child) {
            Ok(fd) => fd,
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => continue,
            Err(e) => return Err(e),
        };
        match sys::read_file_at(child.as_fd(), "cgroup.procs") {
            Ok(procs) if has_processes(&procs) => return Ok(true),
            Ok(_) => {}
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT) | Some(libc::ENODEV)) => {
                continue
            }
            Err(e) => return Err(e),
        }
        if children_have_processes(child.as_fd())? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// FROZEN on v1: `freezer.state` turned `FROZEN` (not merely `FREEZING`).
#[derive(Debug)]
pub(super) struct FreezerState {
    file: KeptFile,
    frozen: Edge,
}

impl FreezerState {
    /// Reads the state now; a frozen group reports FROZEN at the first read.
    pub(super) fn new(dir: &GroupDir) -> Result<(FreezerState, Events)> {
        let mut check = FreezerState {
            file: kept(dir, "freezer.state")?,
            frozen: Edge {
                event: Events::FROZEN,
                last: false,
            },
        };
        let initial = check.check()?;
        Ok((check, initial))
    }

    /// FROZEN if the group became frozen since the last check.
    pub(super) fn check(&mut self) -> Result<Events> {
        let state = self.file.read()?;
        Ok(self.frozen.update(state.trim_ascii() == b"FROZEN"))
    }
}
