// SPDX-License-Identifier: MIT OR Apache-2.0
//! `Cgroup`: a group of one user, present in one or more hierarchies. It routes each call to the
//! directory of the hierarchy serving the controller concerned; membership and deletion span all
//! of them. The controls live with their controllers (`controller/`).

use std::io;
use std::path::Path;

use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::layout::{Controller, Controllers, Version};
use crate::migrate;
use crate::procfs;

/// Which hierarchies a group is opened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Selection {
    /// Every supported controller the host offers (to the caller); an existing group is loaded
    /// where it exists.
    All,
    /// Exactly these controllers; each must be offered by the host.
    Only(Controllers),
}

/// A control group of one user, opened (created or loaded) in one or more hierarchies.
///
/// The handle holds a descriptor of the group's directory in each hierarchy and keeps meaning
/// those directories: if the group is renamed, or removed and another made at its name, the
/// handle never acts on the newcomer (calls report [`Error::NotFound`] once the group is gone).
/// It is immutable and may be shared between threads. Dropping it changes nothing on the system;
/// [`Cgroup::delete`] removes the group. Open it with [`crate::Context::open`] or
/// [`Cgroup::open`].
#[derive(Debug)]
pub struct Cgroup {
    name: String,
    user: Option<String>,
    dirs: Vec<GroupDir>,
}

impl Cgroup {
    pub(crate) fn new(name: String, user: Option<String>, dirs: Vec<GroupDir>) -> Cgroup {
        Cgroup { name, user, dirs }
    }

    /// The group's name, as given when it was opened.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the user whose subtree holds the group; `None` for a group opened through a
    /// context at the caller's own cgroup ([`crate::Context::new_self`]).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The controllers the group was opened with.
    pub fn controllers(&self) -> Controllers {
        self.dirs
            .iter()
            .fold(Controllers::NONE, |acc, d| acc.union(d.controllers()))
    }

    /// The group's directories, one per hierarchy, as they were named when opened.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.dirs.iter().map(GroupDir::path)
    }

    /// The directory of the hierarchy serving `controller`.
    ///
    /// Fails with [`Error::ControllerUnavailable`] when the group was opened without it.
    pub(crate) fn dir(&self, controller: Controller) -> Result<&GroupDir> {
        self.dirs
            .iter()
            .find(|d| d.controllers().contains(controller))
            .ok_or_else(|| Error::ControllerUnavailable {
                controller: controller.name(),
                reason: format!("group {:?} was not opened with it", self.name),
            })
    }

    /// The group's directories, one per hierarchy.
    pub(crate) fn dirs(&self) -> &[GroupDir] {
        &self.dirs
    }

    /// The group's directory in the cgroup2 tree, if it has one: where the v2 core files
    /// (`cgroup.events`, `cgroup.freeze`, `cgroup.kill`, `*.pressure`) serve it. On a hybrid host
    /// that is only when a controller it was opened with is attached to the cgroup2 tree.
    pub(crate) fn unified_dir(&self) -> Option<&GroupDir> {
        self.dirs.iter().find(|d| d.version() == Version::V2)
    }

    /// The group's directories in v1 hierarchies.
    pub(crate) fn v1_dirs(&self) -> impl Iterator<Item = &GroupDir> {
        self.dirs.iter().filter(|d| d.version() == Version::V1)
    }

    /// The group's directory in the v1 hierarchy carrying `cpuacct`, if it has one: where its
    /// CPU usage is on v1 (co-mounted with `cpu`, or the companion hierarchy of a `cpu` mounted
    /// without it).
    pub(crate) fn cpuacct_dir(&self) -> Option<&GroupDir> {
        self.dirs
            .iter()
            .find(|d| d.version() == Version::V1 && d.subtree().hierarchy().cpuacct)
    }

    /// Moves the whole process `pid` (all its threads) into the group, in every hierarchy.
    /// A process already in the group stays there, without error.
    ///
    /// A process is put only into a group owned by root or by the process's own user: on cgroup
    /// v2 whoever may write a group's files may freeze or kill its processes.
    ///
    /// Fails with [`Error::InvalidArgument`] for a pid ≤ 0 or a kernel thread,
    /// [`Error::NoSuchProcess`] for a process that does not exist or has exited (a zombie),
    /// [`Error::NotFound`] when the group was deleted, and [`Error::Permission`].
    pub fn add(&self, pid: libc::pid_t) -> Result<()> {
        migrate::check_pid(pid)?;
        let status = migrate::process_status(pid)?;
        self.dirs.iter().try_for_each(|d| d.add(pid, &status))
    }

    /// Moves `pid` back to the user's own group in every hierarchy where it is in this group
    /// (or below it). A process that is not in the group is left alone, without error.
    ///
    /// Fails with [`Error::InvalidArgument`] for a pid ≤ 0, [`Error::NoSuchProcess`],
    /// [`Error::NotFound`] when the group was deleted, and [`Error::Permission`] (also when the
    /// user's group belongs to another user than the process's).
    pub fn remove(&self, pid: libc::pid_t) -> Result<()> {
        migrate::check_pid(pid)?;
        let text =
            procfs::read_process_file(pid, "cgroup").map_err(|e| match e.raw_os_error() {
                Some(libc::ESRCH) => Error::no_such_process(pid),
                _ => Error::from_io("read", format!("/proc/{pid}/cgroup"), e),
            })?;
        let lines = procfs::cgroup::parse(&text);
        let mut moved = false;
        for dir in &self.dirs {
            let inside = match dir.subtree().hierarchy().membership(&lines) {
                Some(path) => dir.holds(path)?,
                None => false,
            };
            if inside {
                dir.subtree().move_to_user_group(&[pid])?;
                moved = true;
            }
        }
        if !moved {
            self.check_exists()?;
        }
        Ok(())
    }

    /// Moves the calling process into the group, in every hierarchy, by writing `0` to each
    /// `cgroup.procs` relative to the directories held open.
    ///
    /// Async-signal-safe (no allocation, no lock, no thread-local): meant for a child between
    /// `fork` and `exec`. Stops at the first failure and returns the OS error (ENOENT when the
    /// group was deleted).
    pub fn attach_self(&self) -> io::Result<()> {
        self.dirs.iter().try_for_each(GroupDir::attach_self)
    }

    /// The pids of the processes in the group (in any of its hierarchies), sorted. Processes
    /// outside the caller's pid namespace cannot be named and are not listed.
    ///
    /// Fails with [`Error::NotFound`] when the group was deleted.
    pub fn pids(&self) -> Result<Vec<libc::pid_t>> {
        let mut pids = Vec::new();
        for dir in &self.dirs {
            pids.extend(dir.members()?.visible);
        }
        pids.sort_unstable();
        pids.dedup();
        Ok(pids)
    }

    /// Deletes the group: moves every process in it back to the user's group (repeatedly, since
    /// members may fork), then removes its directory in every hierarchy. Never kills a process.
    ///
    /// Fails with [`Error::NotFound`] when the group no longer exists anywhere, [`Error::Busy`]
    /// when it has child groups (nothing is changed then), cannot be emptied in time, has
    /// members outside the caller's pid namespace, or was replaced by someone else; and with
    /// the error of a migration.
    pub fn delete(&self) -> Result<()> {
        // With several hierarchies, child groups are refused before any of them changes; with
        // one, rmdir refuses atomically and the check runs only when it reports EBUSY.
        if self.dirs.len() > 1 {
            for dir in &self.dirs {
                dir.refuse_child_groups()?;
            }
        }
        let mut removed = false;
        for dir in &self.dirs {
            let check_identity = dir.subtree().shared_with_another_user()?;
            removed |= dir.remove(check_identity)?;
        }
        if !removed {
            return Err(self.not_found());
        }
        Ok(())
    }

    /// Fails with [`Error::NotFound`] unless the group's directory exists in some hierarchy.
    fn check_exists(&self) -> Result<()> {
        for dir in &self.dirs {
            if dir.exists()? {
                return Ok(());
            }
        }
        Err(self.not_found())
    }

    fn not_found(&self) -> Error {
        match self.dirs.first() {
            Some(dir) => dir.not_found(),
            None => Error::NotFound {
                path: self.name.clone().into(),
            },
        }
    }
}
