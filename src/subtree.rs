// SPDX-License-Identifier: MIT OR Apache-2.0
//! A subtree in one hierarchy: the hierarchy's base directory, opened once and checked (a cgroup
//! filesystem, and the very mount that mountinfo lists), and the user's directory below it, where
//! groups are created and where processes removed from a group go.
//!
//! Everything below the base is reached through descriptors, beneath the base, never by
//! re-resolving a path from `/`: a directory swapped or a symlink planted by someone else on the
//! way cannot redirect the library.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use nix::fcntl::OFlag;

use crate::error::{Error, Result};
use crate::layout::{Controller, Controllers, Hierarchy, Version};
use crate::migrate;
use crate::name::USER_LEAF;
use crate::procfs::process::Status;
use crate::sys;

const CGROUP_SUPER_MAGIC: i64 = 0x0027_e0eb;
const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;

/// The user's group in one hierarchy: where removed processes go.
#[derive(Debug)]
struct UserGroup {
    /// Its `cgroup.procs`, open for writing.
    procs: OwnedFd,
    /// Its owner: a process of another user is not handed to it.
    owner: u32,
}

/// A base directory in one hierarchy and the user's directory below it.
#[derive(Debug)]
pub(crate) struct Subtree {
    hierarchy: Hierarchy,
    /// The top of the mount (v2 controllers are enabled from here down).
    mount: OwnedFd,
    /// The base, when it is below the top of the mount.
    base: Option<OwnedFd>,
    /// The user's directory relative to the base (empty at a process's own cgroup).
    user: PathBuf,
    /// The effective uid of the caller when the subtree was opened: the owner of what it creates.
    caller: u32,
    /// The user's group, opened on first need; opened again when it was removed meanwhile (a
    /// cached context outlives many groups, and someone may remake the user's directory).
    user_group: Mutex<Option<Arc<UserGroup>>>,
    /// The owner of the user's directory: who may rename and replace groups below it, and move
    /// processes between them.
    user_owner: OnceLock<u32>,
    /// v2 controllers seen enabled down to the user's directory: a direct child of it needs no
    /// check at open. Only a hint; a controller disabled later is enabled again on first use.
    v2_enabled: AtomicU32,
}

impl Subtree {
    /// Opens the base of `hierarchy` and checks it: the mount point is reached without
    /// following a symlink, is a cgroup (v1) or cgroup2 filesystem, and is the mount mountinfo
    /// listed (same mount id, or on kernels before 5.8 the same device); the base is a directory
    /// beneath it. `user` is the user's directory below the base (`None`: the base itself).
    ///
    /// Fails with [`Error::NotMounted`] when any of that does not hold.
    pub(crate) fn open(hierarchy: &Hierarchy, user: Option<&str>) -> Result<Subtree> {
        let not_mounted = |path: &Path, reason: String| Error::NotMounted {
            path: path.to_path_buf(),
            reason,
        };
        let mount = sys::open_dir_path(&hierarchy.mount_point).map_err(|e| {
            not_mounted(
                &hierarchy.mount_point,
                format!("cannot open the mount point: {e}"),
            )
        })?;
        let expected = match hierarchy.version {
            Version::V1 => CGROUP_SUPER_MAGIC,
            Version::V2 => CGROUP2_SUPER_MAGIC,
        };
        let magic = sys::fs_magic(mount.as_fd())
            .map_err(|e| Error::from_io("statfs", &hierarchy.mount_point, e))?;
        if magic != expected {
            return Err(not_mounted(
                &hierarchy.mount_point,
                format!("filesystem magic {magic:#x} is not cgroup's"),
            ));
        }
        let same_mount = match sys::mount_id(mount.as_fd())
            .map_err(|e| Error::from_io("statx", &hierarchy.mount_point, e))?
        {
            Some(id) => id == hierarchy.mount_id,
            None => {
                let (major, minor) = hierarchy.device;
                sys::stat(mount.as_fd())
                    .map_err(|e| Error::from_io("stat", &hierarchy.mount_point, e))?
                    .dev
                    == libc::makedev(major, minor)
            }
        };
        if !same_mount {
            return Err(not_mounted(
                &hierarchy.mount_point,
                "the directory there is not the mount that /proc/self/mountinfo lists (was the \
                 mount table changed, or a path component swapped?)"
                    .into(),
            ));
        }
        let relative = hierarchy.relative_dir();
        let base = if relative.as_os_str().is_empty() {
            None
        } else {
            let fd = sys::open_dir_beneath(mount.as_fd(), relative).map_err(|e| {
                let reason = match e.raw_os_error() {
                    Some(libc::ENOENT) => "no such directory".to_string(),
                    Some(libc::ENOTDIR) => "not a directory".to_string(),
                    _ => format!(
                        "cannot open it beneath {}: {e}",
                        hierarchy.mount_point.display()
                    ),
                };
                not_mounted(&hierarchy.dir, reason)
            })?;
            Some(fd)
        };
        Ok(Subtree {
            hierarchy: hierarchy.clone(),
            mount,
            base,
            user: user.map(PathBuf::from).unwrap_or_default(),
            caller: nix::unistd::geteuid().as_raw(),
            user_group: Mutex::new(None),
            user_owner: OnceLock::new(),
            v2_enabled: AtomicU32::new(0),
        })
    }

    /// The hierarchy this subtree is in.
    pub(crate) fn hierarchy(&self) -> &Hierarchy {
        &self.hierarchy
    }

    /// The interface version of the hierarchy.
    pub(crate) fn version(&self) -> Version {
        self.hierarchy.version
    }

    /// The base directory.
    pub(crate) fn base(&self) -> BorrowedFd<'_> {
        self.base.as_ref().unwrap_or(&self.mount).as_fd()
    }

    /// The effective uid of the caller when the subtree was opened (the owner of the
    /// directories it creates).
    pub(crate) fn caller(&self) -> u32 {
        self.caller
    }

    /// The user's directory relative to the base (empty at a process's own cgroup).
    pub(crate) fn user_relative(&self) -> &Path {
        &self.user
    }

    /// The path of `relative` (below the base), for messages and [`crate::Cgroup::paths`].
    pub(crate) fn path_of(&self, relative: &Path) -> PathBuf {
        if relative.as_os_str().is_empty() {
            self.hierarchy.dir.clone()
        } else {
            self.hierarchy.dir.join(relative)
        }
    }

    /// The cgroup path (as `/proc/<pid>/cgroup` names it) of `relative` below the base.
    pub(crate) fn cgroup_path_of(&self, relative: &Path) -> PathBuf {
        if relative.as_os_str().is_empty() {
            self.hierarchy.cgroup_path.clone()
        } else {
            self.hierarchy.cgroup_path.join(relative)
        }
    }

    /// The owner of the user's directory (asked once): whoever it is may rename and replace
    /// groups below it and, on v2, move processes between them.
    pub(crate) fn user_owner(&self) -> Result<u32> {
        if let Some(&owner) = self.user_owner.get() {
            return Ok(owner);
        }
        let owner = if self.user.as_os_str().is_empty() {
            sys::stat(self.base())
        } else {
            sys::stat_at(self.base(), &self.user)
        }
        .map_err(|e| Error::from_io("stat", self.path_of(&self.user), e))?
        .uid;
        Ok(*self.user_owner.get_or_init(|| owner))
    }

    /// Whether the user's directory belongs to someone other than the caller, who could then
    /// rename or replace groups below it (root acting in a user's subtree).
    pub(crate) fn shared_with_another_user(&self) -> Result<bool> {
        Ok(self.user_owner()? != self.caller)
    }

    /// Refuses to put process `pid` into a group owned by `group_owner` in this subtree unless
    /// both the group and the user's directory belong to root or to the process's user; see
    /// [`migrate::check_owner`].
    pub(crate) fn check_owners(
        &self,
        pid: libc::pid_t,
        status: &Status,
        group_owner: u32,
        group: &Path,
    ) -> Result<()> {
        migrate::check_owner(pid, status, group_owner, group)?;
        migrate::check_owner(pid, status, self.user_owner()?, group)
    }

    /// The v2 controllers known to be enabled down to the user's directory.
    pub(crate) fn v2_enabled(&self) -> Controllers {
        Controllers::from_bits(self.v2_enabled.load(Ordering::Relaxed)).unwrap_or_default()
    }

    /// Makes `wanted` available in the v2 group `group` (at `relative` below the base) by writing
    /// only the missing `+controller` tokens into the `cgroup.subtree_control` of each ancestor,
    /// from the top of the mount down. Controllers enabled down to the user's directory are
    /// remembered.
    ///
    /// Fails with [`Error::ControllerUnavailable`] when an ancestor does not offer a controller,
    /// [`Error::Busy`] when an ancestor below the top holds processes (no internal processes,
    /// which the library applies to threaded controllers too, so that no group is turned into a
    /// thread root behind the caller's back), and [`Error::Permission`] when an ancestor is not
    /// writable (for example the root, for a non-root caller).
    pub(crate) fn enable_v2_controllers(
        &self,
        group: BorrowedFd<'_>,
        relative: &Path,
        wanted: Controllers,
    ) -> Result<()> {
        let wanted: Controllers = wanted.iter().filter(|c| c.v2_name().is_some()).collect();
        let offered = sys::read_file_at(group, "cgroup.controllers").map_err(|e| {
            Error::from_io("read", self.path_of(relative).join("cgroup.controllers"), e)
        })?;
        let missing = wanted.difference(Controllers::from_v2_list(&offered));
        if missing.is_empty() {
            self.remember_enabled(relative, wanted);
            return Ok(());
        }
        let full = self.hierarchy.relative_dir().join(relative);
        let mut ancestors: Vec<&Path> = full.ancestors().skip(1).collect();
        ancestors.reverse();
        for level in ancestors {
            let opened;
            let dir = if level.as_os_str().is_empty() {
                self.mount.as_fd()
            } else {
                opened = sys::open_dir_beneath(self.mount.as_fd(), level).map_err(|e| {
                    Error::from_io("open", self.hierarchy.mount_point.join(level), e)
                })?;
                opened.as_fd()
            };
            let path = self.hierarchy.mount_point.join(level);
            let control = path.join("cgroup.subtree_control");
            let enabled = sys::read_file_at(dir, "cgroup.subtree_control")
                .map(|t| Controllers::from_v2_list(&t))
                .map_err(|e| Error::from_io("read", &control, e))?;
            let to_enable = missing.difference(enabled);
            if to_enable.is_empty() {
                continue;
            }
            if !level.as_os_str().is_empty() && has_processes(dir, &path)? {
                return Err(internal_processes(&control, to_enable));
            }
            let tokens: Vec<String> = to_enable
                .iter()
                .filter_map(Controller::v2_name)
                .map(|name| format!("+{name}"))
                .collect();
            sys::write_file_at(dir, "cgroup.subtree_control", tokens.join(" ").as_bytes())
                .map_err(|e| enable_error(&control, to_enable, e))?;
        }
        self.remember_enabled(relative, wanted);
        Ok(())
    }

    fn remember_enabled(&self, relative: &Path, controllers: Controllers) {
        if relative.parent() == Some(self.user.as_path()) {
            self.v2_enabled
                .fetch_or(controllers.bits(), Ordering::Relaxed);
        }
    }

    /// Moves `pids` to the user's group (v1: the user's directory; v2: its leaf `cgroups.user`,
    /// made on first need), skipping processes that exited meanwhile. A process whose user is
    /// not the user group's owner (nor is the owner root) is refused; see [`migrate::check_owner`].
    pub(crate) fn move_to_user_group(&self, pids: &[libc::pid_t]) -> Result<()> {
        let mut target = self.user_group()?;
        let mut reopened = false;
        let procs_path = self.user_group_path().join("cgroup.procs");
        let user_owner = self.user_owner()?;
        for &pid in pids {
            loop {
                let moved = if target.owner == 0 && user_owner == 0 {
                    migrate::write_pid(target.procs.as_fd(), &procs_path, self.version(), pid)
                } else {
                    migrate::process_status(pid)
                        .and_then(|status| {
                            self.check_owners(pid, &status, target.owner, &procs_path)
                        })
                        .and_then(|()| {
                            migrate::write_pid(
                                target.procs.as_fd(),
                                &procs_path,
                                self.version(),
                                pid,
                            )
                        })
                };
                match moved {
                    Ok(()) | Err(Error::NoSuchProcess { .. }) => break,
                    Err(Error::NotFound { .. }) if !reopened => {
                        // The user's group was removed (and maybe made again) since it was
                        // opened: open it once more.
                        reopened = true;
                        *self
                            .user_group
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner) = None;
                        target = self.user_group()?;
                    }
                    Err(err) => return Err(err),
                }
            }
        }
        Ok(())
    }

    /// The user's group relative to the base.
    fn user_group_relative(&self) -> PathBuf {
        match self.version() {
            Version::V1 => self.user.clone(),
            Version::V2 => self.user.join(USER_LEAF),
        }
    }

    fn user_group_path(&self) -> PathBuf {
        self.path_of(&self.user_group_relative())
    }

    /// Opens the user's group (making the v2 leaf if missing) and keeps its `cgroup.procs`.
    fn user_group(&self) -> Result<Arc<UserGroup>> {
        let mut cached = self
            .user_group
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(group) = cached.as_ref() {
            return Ok(Arc::clone(group));
        }
        let relative = self.user_group_relative();
        let path = self.path_of(&relative);
        let open = || {
            if relative.as_os_str().is_empty() {
                sys::reopen_dir(self.base())
            } else {
                sys::open_dir_beneath(self.base(), &relative)
            }
        };
        let dir = match open() {
            // A v2 leaf is made with the user's directory; older directories lack it.
            Err(e) if self.version() == Version::V2 && e.raw_os_error() == Some(libc::ENOENT) => {
                match sys::mkdir_at(self.base(), &relative) {
                    Err(e) if e.raw_os_error() != Some(libc::EEXIST) => {
                        return Err(Error::from_io("mkdir", &path, e))
                    }
                    _ => open(),
                }
            }
            opened => opened,
        }
        .map_err(|e| Error::from_io("open", &path, e))?;
        let owner = sys::stat(dir.as_fd())
            .map_err(|e| Error::from_io("stat", &path, e))?
            .uid;
        let procs =
            sys::open_file_at(dir.as_fd(), "cgroup.procs", OFlag::O_WRONLY).map_err(|e| {
                Error::from_io("open", path.join("cgroup.procs"), e)
                    .with_permission_hint(migrate::NOT_DELEGATED)
            })?;
        let group = Arc::new(UserGroup { procs, owner });
        *cached = Some(Arc::clone(&group));
        Ok(group)
    }
}

/// Whether the cgroup `dir` (at `path`) has processes of its own.
fn has_processes(dir: BorrowedFd<'_>, path: &Path) -> Result<bool> {
    let procs = sys::read_file_at(dir, "cgroup.procs")
        .map_err(|e| Error::from_io("read", path.join("cgroup.procs"), e))?;
    Ok(procs.iter().any(u8::is_ascii_digit))
}

fn internal_processes(control: &Path, controllers: Controllers) -> Error {
    let names: Vec<&str> = controllers.iter().map(Controller::name).collect();
    Error::Busy {
        path: control.to_path_buf(),
        reason: format!(
            "cannot enable {} here: the group holds processes, and cgroup v2 allows controllers \
             only above groups without processes of their own (move them into a child group first)",
            names.join(", ")
        ),
    }
}

fn enable_error(control: &Path, controllers: Controllers, source: std::io::Error) -> Error {
    let names: Vec<&str> = controllers.iter().map(Controller::name).collect();
    match source.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::EINVAL) => Error::ControllerUnavailable {
            controller: controllers.iter().next().map_or("?", Controller::name),
            reason: format!("{} does not offer {}", control.display(), names.join(", ")),
        },
        Some(libc::EBUSY) => internal_processes(control, controllers),
        _ => {
            Error::from_io("enable controllers in", control, source).with_permission_hint(&format!(
                " (enabling {} needs write access here: root has to delegate the subtree first)",
                names.join(", ")
            ))
        }
    }
}
