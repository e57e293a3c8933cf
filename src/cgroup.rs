//! `Cgroup`: a group of one user, present in one or more hierarchies, and what can be done to it.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::context::Context;
use crate::controller::{cpu, memory, Controller, Controllers};
use crate::create::{self, Created};
use crate::error::{Error, Result};
use crate::fsio;
use crate::migrate;
use crate::mounts::{Hierarchy, Layout, Version};
use crate::name::{self, USER_LEAF};
use crate::proc_cgroup;

/// How long `delete` keeps emptying a group whose members keep forking.
const MIGRATION_TIMEOUT: Duration = Duration::from_secs(10);
/// Backoff of `rmdir` while exiting tasks are still attached (EBUSY): 1, 2, 4 … 256 ms.
const RMDIR_RETRIES: u32 = 9;

/// Which hierarchies a group is opened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Every supported controller the host offers; an existing group is loaded where it exists.
    All,
    /// Exactly these controllers; each must be offered by the host.
    Only(Controllers),
}

/// A group's directory in one hierarchy.
#[derive(Debug)]
struct Member {
    /// The controllers this directory serves for the group.
    controllers: Controllers,
    dir: PathBuf,
    /// `dir` as `/proc/<pid>/cgroup` names it.
    cgroup_path: String,
    /// The hierarchy: its version, and what matches lines of `/proc/<pid>/cgroup`.
    hierarchy: Hierarchy,
    /// `cgroup.procs`, precomputed for the async-signal-safe [`Cgroup::attach_self`].
    procs: CString,
    /// Where removed processes go: the user's directory (v1) or the user's leaf (v2).
    user_group: PathBuf,
}

/// A control group of one user, opened (created or loaded) in one or more hierarchies.
///
/// The handle is immutable and may be shared between threads. Dropping it changes nothing on the
/// system; [`Cgroup::delete`] removes the group.
#[derive(Debug)]
pub struct Cgroup {
    name: String,
    user: Option<String>,
    members: Vec<Member>,
}

impl Cgroup {
    /// Opens the group `name` (`a` or `a/b/c`) of `user` (`None` or `"current"`: the effective
    /// user), creating its directories where missing: `<hierarchy>/<user>/<name>`.
    ///
    /// With [`Selection::All`], an existing group is loaded in the hierarchies where it exists, and
    /// a new one is created in every hierarchy that serves a supported controller. On v2, the
    /// controllers the group needs are enabled in its ancestors (only the missing ones); on v1,
    /// new cpuset groups get their parent's CPUs and memory nodes.
    ///
    /// Fails with [`Error::InvalidArgument`] (bad name, empty selection), [`Error::NoSuchUser`],
    /// [`Error::ControllerUnavailable`] (a controller the host lacks), [`Error::Permission`], or
    /// the error of `mkdir`. A failed open removes what it created.
    pub fn open(
        layout: &Layout,
        name: &str,
        selection: Selection,
        user: Option<&str>,
    ) -> Result<Cgroup> {
        Context::new(layout.clone(), user)?.open(name, selection)
    }

    /// Opens `name` in the context's layout and user subtree (see [`Cgroup::open`]).
    pub(crate) fn open_in(context: &Context, name: &str, selection: Selection) -> Result<Cgroup> {
        let components = name::group_components(name)?;
        let (layout, user) = (context.layout(), context.user());
        let wanted = match selection {
            Selection::All => layout.controllers(),
            Selection::Only(set) if set.is_empty() => {
                return Err(Error::InvalidArgument("no controller selected".into()))
            }
            Selection::Only(set) => {
                if let Some(missing) = set.difference(layout.controllers()).iter().next() {
                    return Err(Error::ControllerUnavailable {
                        controller: missing.name(),
                        reason: "no hierarchy on this host serves it".into(),
                    });
                }
                set
            }
        };
        let mut hierarchies: Vec<&Hierarchy> = layout
            .hierarchies()
            .iter()
            .filter(|h| !h.controllers.intersection(wanted).is_empty())
            .collect();
        if hierarchies.is_empty() {
            return Err(Error::ControllerUnavailable {
                controller: "any",
                reason: "the host offers no supported controller".into(),
            });
        }
        if selection == Selection::All {
            let path = context.group_path(&components);
            let existing: Vec<&Hierarchy> = hierarchies
                .iter()
                .copied()
                .filter(|h| {
                    path.iter()
                        .fold(h.dir.clone(), |dir, c| dir.join(c))
                        .is_dir()
                })
                .collect();
            if !existing.is_empty() {
                hierarchies = existing;
            }
        }
        let mut created = Created::default();
        let mut members = Vec::with_capacity(hierarchies.len());
        for hierarchy in hierarchies {
            match Member::open(context, hierarchy, &components, wanted, &mut created) {
                Ok(member) => members.push(member),
                Err(err) => {
                    created.roll_back();
                    return Err(err);
                }
            }
        }
        Ok(Cgroup {
            name: name.to_string(),
            user: user.map(String::from),
            members,
        })
    }

    /// The group's name, as given to [`Cgroup::open`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the user whose subtree holds the group; `None` for a group opened through a
    /// context at the caller's own cgroup ([`Context::own_cgroup`]).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The controllers the group was opened with.
    pub fn controllers(&self) -> Controllers {
        self.members
            .iter()
            .fold(Controllers::NONE, |acc, m| acc.union(m.controllers))
    }

    /// The group's directories, one per hierarchy.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.members.iter().map(|m| m.dir.as_path())
    }

    /// Moves the whole process `pid` (all its threads) into the group, in every hierarchy.
    /// A process already in the group stays there, without error.
    ///
    /// Fails with [`Error::InvalidArgument`] for a pid ≤ 0 or a kernel thread,
    /// [`Error::NoSuchProcess`], [`Error::NotFound`] when the group was deleted, and
    /// [`Error::Permission`].
    pub fn add(&self, pid: libc::pid_t) -> Result<()> {
        migrate::check_pid(pid)?;
        self.members
            .iter()
            .try_for_each(|m| migrate::move_process(&m.dir, m.hierarchy.version, pid))
    }

    /// Moves `pid` back to the user's own group in every hierarchy where it is in this group
    /// (or below it). A process that is not in the group is left alone, without error.
    ///
    /// Fails with [`Error::InvalidArgument`] for a pid ≤ 0, [`Error::NoSuchProcess`],
    /// [`Error::NotFound`] when the group was deleted, and [`Error::Permission`].
    pub fn remove(&self, pid: libc::pid_t) -> Result<()> {
        migrate::check_pid(pid)?;
        let proc_path = format!("/proc/{pid}/cgroup");
        let membership =
            fsio::read_text(Path::new(&proc_path)).map_err(|e| match e.raw_os_error() {
                Some(libc::ENOENT) | Some(libc::ESRCH) => Error::NoSuchProcess { pid },
                _ => Error::from_io("read", &proc_path, e),
            })?;
        let mut moved = false;
        for member in &self.members {
            let inside = proc_cgroup::path_in(&membership, &member.hierarchy)
                .is_some_and(|path| proc_cgroup::is_within(path, &member.cgroup_path));
            if inside {
                member.move_to_user_group(&[pid])?;
                moved = true;
            }
        }
        if !moved {
            self.check_exists()?;
        }
        Ok(())
    }

    /// Moves the calling process into the group, in every hierarchy, by writing `0` to each
    /// `cgroup.procs` through paths computed at open.
    ///
    /// Async-signal-safe (no allocation, no lock): meant for a child between `fork` and `exec`.
    /// Stops at the first failure and returns the OS error (ENOENT when the group was deleted).
    pub fn attach_self(&self) -> io::Result<()> {
        for member in &self.members {
            // SAFETY: `procs` is a valid NUL-terminated path; open/write/close are async-signal-safe.
            let fd = unsafe { libc::open(member.procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` is open and the buffer is one valid byte.
            let written = unsafe { libc::write(fd, b"0".as_ptr().cast(), 1) };
            let error = (written != 1).then(io::Error::last_os_error);
            // SAFETY: `fd` was opened above and is closed once.
            unsafe { libc::close(fd) };
            if let Some(error) = error {
                return Err(error);
            }
        }
        Ok(())
    }

    /// The pids of the processes in the group (in any of its hierarchies), sorted.
    ///
    /// Fails with [`Error::NotFound`] when the group was deleted.
    pub fn pids(&self) -> Result<Vec<libc::pid_t>> {
        let mut pids = Vec::new();
        for member in &self.members {
            pids.extend(member.read_pids()?);
        }
        pids.sort_unstable();
        pids.dedup();
        Ok(pids)
    }

    /// Sets the group's CPU share as a percentage of the default (100 = default; 50 = half the
    /// weight of a default group under contention). Not a hard cap.
    ///
    /// Fails with [`Error::InvalidArgument`] outside (0, 100] or for NaN/infinity,
    /// [`Error::ControllerUnavailable`] when the group was opened without CPU, and
    /// [`Error::NotFound`] when it was deleted.
    pub fn set_cpu_limit(&self, percent: f64) -> Result<()> {
        let member = self.member(Controller::Cpu)?;
        let value = cpu::percent_to_value(member.hierarchy.version, percent)?;
        member.write(
            cpu::file(member.hierarchy.version),
            value.to_string().as_bytes(),
        )
    }

    /// Resets the CPU share to the kernel's default (100 %).
    ///
    /// Fails like [`Cgroup::set_cpu_limit`], except for the range check.
    pub fn reset_cpu_limit(&self) -> Result<()> {
        let member = self.member(Controller::Cpu)?;
        member.write(
            cpu::file(member.hierarchy.version),
            cpu::default_value(member.hierarchy.version)
                .to_string()
                .as_bytes(),
        )
    }

    /// Reads the CPU share as a percentage of the default.
    ///
    /// Fails with [`Error::ControllerUnavailable`], [`Error::NotFound`], or [`Error::Unsupported`]
    /// for content that is not a number.
    pub fn cpu_limit(&self) -> Result<f64> {
        let member = self.member(Controller::Cpu)?;
        let file = cpu::file(member.hierarchy.version);
        let text = member.read(file)?;
        let value: u64 = text
            .trim()
            .parse()
            .map_err(|_| Error::Unsupported(format!("unexpected {file} content {text:?}")))?;
        Ok(cpu::value_to_percent(member.hierarchy.version, value))
    }

    /// Limits the group's memory to `limit` `unit`s.
    ///
    /// Fails with [`Error::InvalidArgument`] for 0 or a size that overflows 64 bits,
    /// [`Error::Busy`] when (v1) the limit is below the group's usage and reclaim failed,
    /// [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn set_memory_limit(&self, limit: u64, unit: memory::Unit) -> Result<()> {
        let bytes = memory::limit_bytes(limit, unit)?;
        let member = self.member(Controller::Memory)?;
        member.write(memory::file(member.hierarchy.version), bytes.to_string().as_bytes()).map_err(|err| match err {
            Error::Busy { path, .. } => Error::Busy {
                path,
                reason: format!("the limit of {bytes} bytes is below the group's usage and the kernel could not reclaim enough"),
            },
            other => other,
        })
    }

    /// Removes the memory limit.
    ///
    /// Fails with [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn reset_memory_limit(&self) -> Result<()> {
        let member = self.member(Controller::Memory)?;
        member.write(
            memory::file(member.hierarchy.version),
            memory::unlimited_text(member.hierarchy.version).as_bytes(),
        )
    }

    /// Reads the memory limit in bytes; `None` means unlimited.
    ///
    /// Fails with [`Error::ControllerUnavailable`], [`Error::NotFound`] and [`Error::Unsupported`].
    pub fn memory_limit(&self) -> Result<Option<u64>> {
        let member = self.member(Controller::Memory)?;
        let text = member.read(memory::file(member.hierarchy.version))?;
        memory::parse_limit(member.hierarchy.version, &text, page_size())
    }

    /// Deletes the group: moves every process in it back to the user's group (repeatedly, since
    /// members may fork), then removes its directory in every hierarchy. Never kills a process.
    ///
    /// Fails with [`Error::NotFound`] when the group no longer exists anywhere, [`Error::Busy`]
    /// when it has child groups (nothing is changed then) or cannot be emptied in time, and with
    /// the error of a migration.
    pub fn delete(&self) -> Result<()> {
        // With several hierarchies, child groups are refused before any of them changes; with
        // one, rmdir refuses atomically and the check runs only when it reports EBUSY.
        if self.members.len() > 1 {
            for member in &self.members {
                member.refuse_child_groups()?;
            }
        }
        let mut removed = false;
        for member in &self.members {
            removed |= member.empty_and_remove()?;
        }
        if !removed {
            return Err(Error::NotFound {
                path: self.members[0].dir.clone(),
            });
        }
        Ok(())
    }

    /// Fails with [`Error::NotFound`] unless the group's directory exists in some hierarchy.
    fn check_exists(&self) -> Result<()> {
        match self.members.iter().find(|m| m.dir.is_dir()) {
            Some(_) => Ok(()),
            None => Err(Error::NotFound {
                path: self
                    .members
                    .first()
                    .map(|m| m.dir.clone())
                    .unwrap_or_default(),
            }),
        }
    }

    fn member(&self, controller: Controller) -> Result<&Member> {
        self.members
            .iter()
            .find(|m| m.controllers.contains(controller))
            .ok_or_else(|| Error::ControllerUnavailable {
                controller: controller.name(),
                reason: format!("group {:?} was not opened with it", self.name),
            })
    }
}

impl Member {
    fn open(
        context: &Context,
        hierarchy: &Hierarchy,
        components: &[&str],
        wanted: Controllers,
        created: &mut Created,
    ) -> Result<Member> {
        let user = context.user();
        let path = context.group_path(components);
        let dir = create::create_dirs(hierarchy, &path, created)?;
        let controllers = hierarchy.controllers.intersection(wanted);
        // A direct child of the user's directory gets the controllers enabled there; the context
        // remembers which those are, so only other groups need the check.
        let known =
            components.len() == 1 && context.v2_enabled().intersection(controllers) == controllers;
        if hierarchy.version == Version::V2 && !known {
            create::enable_v2_controllers(hierarchy, &dir, controllers)?;
            context.mark_v2_enabled(controllers);
        }
        let procs = CString::new(dir.join("cgroup.procs").as_os_str().as_bytes())
            .map_err(|_| Error::InvalidArgument(format!("path {} contains NUL", dir.display())))?;
        let user_dir = user.map_or_else(|| hierarchy.dir.clone(), |user| hierarchy.dir.join(user));
        let user_group = match hierarchy.version {
            Version::V1 => user_dir,
            Version::V2 => user_dir.join(USER_LEAF),
        };
        let cgroup_path = path.iter().fold(
            hierarchy.cgroup_path.trim_end_matches('/').to_string(),
            |acc, c| format!("{acc}/{c}"),
        );
        Ok(Member {
            controllers,
            dir,
            cgroup_path,
            hierarchy: hierarchy.clone(),
            procs,
            user_group,
        })
    }

    /// Moves `pids` to the user's group, skipping processes that exited. On v2 the user's leaf
    /// is made on first need: when the move finds it missing.
    fn move_to_user_group(&self, pids: &[libc::pid_t]) -> Result<()> {
        let version = self.hierarchy.version;
        match migrate::move_processes(&self.user_group, version, pids) {
            Err(Error::NotFound { .. }) if version == Version::V2 => {
                create::ensure_dir(&self.user_group)?;
                migrate::move_processes(&self.user_group, version, pids)
            }
            other => other,
        }
    }

    fn write(&self, file: &str, value: &[u8]) -> Result<()> {
        self.on_file("write", file, |path| fsio::write_value(path, value))
    }

    fn read(&self, file: &str) -> Result<String> {
        self.on_file("read", file, fsio::read_text)
    }

    /// Runs `operation` on one of the group's files. On v2, a file missing from a group that
    /// still exists means a controller was disabled above it since it was opened: it is enabled
    /// again and the operation retried once.
    fn on_file<T>(
        &self,
        action: &'static str,
        file: &str,
        operation: impl Fn(&Path) -> io::Result<T>,
    ) -> Result<T> {
        let path = self.dir.join(file);
        match operation(&path) {
            Err(e)
                if e.raw_os_error() == Some(libc::ENOENT)
                    && self.hierarchy.version == Version::V2
                    && self.dir.is_dir() =>
            {
                create::enable_v2_controllers(&self.hierarchy, &self.dir, self.controllers)?;
                operation(&path).map_err(|e| self.file_error(action, &path, e))
            }
            result => result.map_err(|e| self.file_error(action, &path, e)),
        }
    }

    fn read_pids(&self) -> Result<Vec<libc::pid_t>> {
        self.read("cgroup.procs")
            .map(|text| fsio::parse_pids(&text))
    }

    /// A missing file means a deleted group, or a kernel without that interface.
    fn file_error(&self, action: &'static str, path: &Path, source: io::Error) -> Error {
        if source.raw_os_error() == Some(libc::ENOENT) && self.dir.is_dir() {
            return Error::Unsupported(format!("{} does not exist on this kernel", path.display()));
        }
        match source.raw_os_error() {
            Some(libc::ENOENT) => Error::NotFound {
                path: self.dir.clone(),
            },
            _ => Error::from_io(action, path, source),
        }
    }

    /// Fails with [`Error::Busy`] when the directory has child groups: kernfs keeps a
    /// directory's link count at 2 + its subdirectories, so one `stat` answers.
    fn refuse_child_groups(&self) -> Result<()> {
        let children = match fs::metadata(&self.dir) {
            Ok(meta) => meta.nlink().saturating_sub(2),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => 0,
            Err(e) => return Err(Error::from_io("stat", &self.dir, e)),
        };
        if children > 0 {
            return Err(Error::Busy {
                path: self.dir.clone(),
                reason: format!("the group has {children} child group(s); delete them first"),
            });
        }
        Ok(())
    }

    /// Removes the directory; returns false when it was already gone. While `rmdir` reports
    /// EBUSY, refuses child groups, moves the processes out (until none is left) and tries again;
    /// with none left, waits for exiting tasks with a bounded backoff.
    fn empty_and_remove(&self) -> Result<bool> {
        let deadline = Instant::now() + MIGRATION_TIMEOUT;
        let mut delay = Duration::from_millis(1);
        for _ in 0..=RMDIR_RETRIES {
            match fs::remove_dir(&self.dir) {
                Ok(()) => return Ok(true),
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(false),
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {}
                Err(e) => return Err(Error::from_io("rmdir", &self.dir, e)),
            }
            self.refuse_child_groups()?;
            if !self.migrate_all_out(deadline)? {
                sleep(delay);
                delay *= 2;
            }
        }
        Err(Error::Busy {
            path: self.dir.clone(),
            reason: "the group stayed busy after all its processes were moved out".into(),
        })
    }

    /// Moves the group's processes to the user's group until none is left. Returns whether
    /// there were any.
    fn migrate_all_out(&self, deadline: Instant) -> Result<bool> {
        let mut found = false;
        loop {
            let pids = match self.read_pids() {
                Ok(pids) => pids,
                Err(Error::NotFound { .. }) => return Ok(found),
                Err(err) => return Err(err),
            };
            if pids.is_empty() {
                return Ok(found);
            }
            found = true;
            self.move_to_user_group(&pids)?;
            if Instant::now() > deadline {
                return Err(Error::Busy {
                    path: self.dir.clone(),
                    reason: "processes kept entering the group while it was being emptied".into(),
                });
            }
        }
    }
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        size if size > 0 => size as u64,
        _ => 4096,
    }
}
