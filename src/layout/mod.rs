// SPDX-License-Identifier: MIT OR Apache-2.0
//! The ground floor: controllers, interface versions, and the layout of the hierarchies under a
//! base — which cgroup hierarchies serve which controllers — found from `/proc/self/mountinfo`,
//! never guessed from directory names. A [`Layout`] is a description (paths and mount identities);
//! a [`crate::Context`] opens and checks its directories.

pub mod controller;
mod resolve;

use std::path::{Component, Path, PathBuf};

pub use controller::{Controller, Controllers};
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use resolve::default_base;

use crate::error::{Error, Result};
use crate::name;
use crate::procfs;
use crate::procfs::cgroup::Membership;

/// The cgroup interface version of a hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// Legacy cgroup v1: one hierarchy per controller (or per co-mounted set).
    V1,
    /// Unified cgroup v2: one tree for every controller.
    V2,
}

/// How the host arranges its hierarchies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayoutKind {
    /// Only cgroup2.
    Unified,
    /// Only v1 hierarchies.
    Legacy,
    /// v1 controller hierarchies plus a cgroup2 tree; each controller is served where it is attached.
    Hybrid,
}

/// A hierarchy the library uses: where groups are created and which controllers it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hierarchy {
    /// The interface version.
    pub version: Version,
    /// The known controllers this hierarchy serves.
    pub controllers: Controllers,
    /// Whether this v1 hierarchy carries `cpuacct` (CPU usage accounting). A hierarchy that
    /// carries it alone serves no controller: it is kept as the companion of a v1 `cpu`
    /// hierarchy mounted without it, and a group opened with [`Controller::Cpu`] is made there
    /// too, so that its CPU usage can be read.
    pub cpuacct: bool,
    /// The directory under which the users' subtrees live (the base in this hierarchy).
    pub dir: PathBuf,
    /// `dir` as `/proc/<pid>/cgroup` names it.
    pub cgroup_path: PathBuf,
    /// The top of the mount that holds `dir`.
    pub mount_point: PathBuf,
    /// The mount's id in mountinfo (what `statx(STATX_MNT_ID)` reports on it).
    pub mount_id: u64,
    /// The device (`major`, `minor`) of the hierarchy's superblock.
    pub device: (u32, u32),
}

impl Hierarchy {
    /// `dir` relative to the mount point (empty when the base is the mount point).
    pub fn relative_dir(&self) -> &Path {
        self.dir
            .strip_prefix(&self.mount_point)
            .unwrap_or(Path::new(""))
    }

    /// The group of this hierarchy that a process is in, from the lines of its
    /// `/proc/<pid>/cgroup`: the cgroup2 line, or the v1 line carrying one of our controllers
    /// (or `cpuacct`).
    pub(crate) fn membership<'a>(&self, lines: &[Membership<'a>]) -> Option<&'a Path> {
        lines
            .iter()
            .find(|line| match self.version {
                Version::V2 => line.is_unified(),
                Version::V1 => {
                    !line.is_unified()
                        && (self.controllers.iter().any(|c| line.carries(c.v1_name()))
                            || (self.cpuacct && line.carries("cpuacct")))
                }
            })
            .map(|line| line.path)
    }

    /// Whether a group opened with `wanted` is made in this hierarchy: it serves one of them,
    /// or it is the `cpuacct` companion and `wanted` has the CPU controller.
    pub(crate) fn used_for(&self, wanted: Controllers) -> bool {
        !self.controllers.intersection(wanted).is_empty()
            || (self.controllers.is_empty() && self.cpuacct && wanted.contains(Controller::Cpu))
    }
}

/// The hierarchies found under one base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    kind: LayoutKind,
    hierarchies: Vec<Hierarchy>,
}

impl Layout {
    /// Discovers the layout at the default base: the directory holding the v1 hierarchies (and a
    /// hybrid's cgroup2 tree), or the cgroup2 mount, normally `/sys/fs/cgroup`.
    ///
    /// Fails with [`Error::NotMounted`] when no usable cgroup filesystem is mounted.
    pub fn discover() -> Result<Layout> {
        let mounts = read_mounts()?;
        let base = resolve::default_base(&mounts)?;
        Layout::resolve(&mounts, &base, &mut read_v2_controllers)
    }

    /// Discovers the layout at an explicit base: a directory holding cgroup mounts (v1/hybrid), a
    /// cgroup2 mount, or a directory inside a cgroup filesystem. The directories are opened and
    /// checked (filesystem magic, mount identity) when a [`crate::Context`] is made on it.
    ///
    /// Fails with [`Error::InvalidArgument`] for a relative or `..`-containing path and with
    /// [`Error::NotMounted`] when the base is not on a cgroup filesystem.
    pub fn at(base: impl AsRef<Path>) -> Result<Layout> {
        let base = resolve::normalize_base(base.as_ref())?;
        let mounts = read_mounts()?;
        Layout::resolve(&mounts, &base, &mut read_v2_controllers)
    }

    /// Resolves the layout at `base` from already-parsed mounts, without touching the filesystem
    /// except through `v2_controllers`, which returns the controllers a cgroup2 mount offers.
    /// Meant for tests on fixtures; [`Layout::at`] is the entry point.
    ///
    /// One hierarchy mounted several times under the base is used once, through the mount that
    /// shows most of it (the shortest root; the first such mount on a tie). A mount made
    /// outside the reader's cgroup namespace is refused with [`Error::NotMounted`].
    pub(crate) fn resolve(
        mounts: &[procfs::mountinfo::CgroupMount],
        base: &Path,
        v2_controllers: &mut dyn FnMut(&Path) -> Result<Controllers>,
    ) -> Result<Layout> {
        resolve::resolve(mounts, base, v2_controllers)
    }

    /// The same layout rooted, in each hierarchy, at the cgroup that `proc_self_cgroup` (the
    /// content of `/proc/self/cgroup`) names for it: for a process managing the subtree it was
    /// delegated. A process already in that cgroup's leaf `cgroups.user` counts as in the cgroup.
    ///
    /// Fails with [`Error::NotMounted`] when the process's cgroup in a hierarchy is missing or
    /// not visible below this layout's base.
    pub fn at_cgroups_of(&self, proc_self_cgroup: &[u8]) -> Result<Layout> {
        let lines = procfs::cgroup::parse(proc_self_cgroup);
        let mut hierarchies = Vec::with_capacity(self.hierarchies.len());
        for h in &self.hierarchies {
            let not_visible = |reason: String| Error::NotMounted {
                path: h.dir.clone(),
                reason,
            };
            let own = h
                .membership(&lines)
                .ok_or_else(|| not_visible("the process has no cgroup in this hierarchy".into()))?;
            let own = match own.file_name() {
                Some(leaf) if leaf == name::USER_LEAF => own.parent().unwrap_or(own),
                _ => own,
            };
            let relative = own
                .strip_prefix(&h.cgroup_path)
                .ok()
                .filter(|relative| {
                    relative
                        .components()
                        .all(|c| matches!(c, Component::Normal(_)))
                })
                .ok_or_else(|| {
                    not_visible(format!(
                        "the process's cgroup {} is outside {} (a path with '..' lies outside \
                         the caller's cgroup namespace)",
                        own.display(),
                        h.cgroup_path.display()
                    ))
                })?;
            let mut rooted = h.clone();
            if !relative.as_os_str().is_empty() {
                rooted.dir.push(relative);
            }
            rooted.cgroup_path = own.to_path_buf();
            hierarchies.push(rooted);
        }
        Ok(Layout {
            kind: self.kind,
            hierarchies,
        })
    }

    /// The same layout rooted at `relative` (one or more validated components) in every
    /// hierarchy: for groups inside a delegated subtree or a private prefix. The directories are
    /// not created; see [`crate::create_subtree`].
    ///
    /// Fails with [`Error::InvalidArgument`] for a name that fails [`crate::name::group_components`].
    pub fn subtree(&self, relative: &str) -> Result<Layout> {
        let components = name::group_components(relative)?;
        let hierarchies = self
            .hierarchies
            .iter()
            .map(|h| {
                let mut sub = h.clone();
                sub.dir.extend(&components);
                sub.cgroup_path.extend(&components);
                sub
            })
            .collect();
        Ok(Layout {
            kind: self.kind,
            hierarchies,
        })
    }

    /// The same layout with hierarchy `i` serving only what `offered[i]` says its base offers
    /// (on v2 plus the freezer, built into every group): for a delegated cgroup, where only what
    /// was delegated can be used. Hierarchies without an entry are unchanged.
    pub(crate) fn restricted_to(mut self, offered: &[Controllers]) -> Layout {
        for (h, &offered) in self.hierarchies.iter_mut().zip(offered) {
            let keep = match h.version {
                Version::V1 => offered,
                Version::V2 => offered.with(Controller::Freezer),
            };
            h.controllers = h.controllers.intersection(keep);
        }
        self
    }

    /// Whether the host is unified, legacy or hybrid.
    pub fn kind(&self) -> LayoutKind {
        self.kind
    }

    /// The hierarchies that serve a supported controller, in mount order.
    pub fn hierarchies(&self) -> &[Hierarchy] {
        &self.hierarchies
    }

    /// Every known controller some hierarchy serves.
    pub fn controllers(&self) -> Controllers {
        self.hierarchies
            .iter()
            .fold(Controllers::NONE, |acc, h| acc.union(h.controllers))
    }
}

fn read_mounts() -> Result<Vec<procfs::mountinfo::CgroupMount>> {
    let text =
        procfs::read_mountinfo().map_err(|e| Error::from_io("read", procfs::MOUNTINFO, e))?;
    Ok(procfs::mountinfo::parse(&text))
}

/// The controllers a cgroup2 mount offers (its root's `cgroup.controllers`).
fn read_v2_controllers(mount_point: &Path) -> Result<Controllers> {
    let path = mount_point.join("cgroup.controllers");
    crate::sys::read_path(&path, crate::sys::Records::One)
        .map(|text| Controllers::from_v2_list(&text))
        .map_err(|e| Error::from_io("read", path, e))
}

#[cfg(test)]
mod tests;
