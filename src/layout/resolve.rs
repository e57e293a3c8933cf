// SPDX-License-Identifier: MIT OR Apache-2.0
//! Resolving a base to the hierarchies below it, from parsed mountinfo.

use std::path::{Component, Path, PathBuf};

use super::{Controller, Controllers, Hierarchy, Layout, LayoutKind, Version};
use crate::error::{Error, Result};
use crate::procfs::mountinfo::CgroupMount;
use crate::procfs::MOUNTINFO;

/// See [`Layout::resolve`].
pub(super) fn resolve(
    mounts: &[CgroupMount],
    base: &Path,
    v2_controllers: &mut dyn FnMut(&Path) -> Result<Controllers>,
) -> Result<Layout> {
    let not_mounted = |reason: &str| Error::NotMounted {
        path: base.to_path_buf(),
        reason: reason.into(),
    };
    // A later mount on the same point hides an earlier one.
    let visible: Vec<&CgroupMount> = mounts
        .iter()
        .filter(|entry| {
            mounts
                .iter()
                .rev()
                .find(|m| m.mount_point == entry.mount_point)
                == Some(*entry)
        })
        .collect();
    let mut chosen: Vec<(&CgroupMount, PathBuf)> = Vec::new();
    if let Some(entry) = visible.iter().find(|m| m.mount_point == base) {
        chosen.push((entry, base.to_path_buf()));
    } else {
        for entry in visible
            .iter()
            .filter(|m| m.mount_point.parent() == Some(base))
        {
            chosen.push((entry, entry.mount_point.clone()));
        }
    }
    if chosen.is_empty() {
        let enclosing = visible
            .iter()
            .filter(|m| base.starts_with(&m.mount_point))
            .max_by_key(|m| m.mount_point.as_os_str().len());
        match enclosing {
            Some(entry) => chosen.push((entry, base.to_path_buf())),
            None => {
                return Err(not_mounted(
                    "not a cgroup mount, nor a directory holding cgroup mounts, nor a directory \
                     inside one",
                ))
            }
        }
    }
    let chosen = one_mount_per_hierarchy(chosen);
    let mut hierarchies = Vec::with_capacity(chosen.len());
    for (entry, dir) in chosen {
        if entry.root.starts_with("/..") {
            return Err(Error::NotMounted {
                path: entry.mount_point.clone(),
                reason: format!(
                    "this cgroup filesystem was mounted outside the caller's cgroup namespace \
                     (its root is {}): the paths the kernel reports for processes would not match \
                     it; mount a cgroup filesystem inside the namespace",
                    entry.root.display()
                ),
            });
        }
        let relative = dir
            .strip_prefix(&entry.mount_point)
            .unwrap_or(Path::new(""));
        let mut cgroup_path = entry.root.clone();
        if !relative.as_os_str().is_empty() {
            cgroup_path.push(relative);
        }
        let (version, controllers, cpuacct) = if entry.unified {
            (Version::V2, v2_controllers(&entry.mount_point)?, false)
        } else {
            let carried = entry
                .super_options
                .iter()
                .filter_map(|option| Controller::from_v1_name(option))
                .collect();
            let cpuacct = entry.super_options.iter().any(|o| o == "cpuacct");
            (Version::V1, carried, cpuacct)
        };
        hierarchies.push(Hierarchy {
            version,
            controllers,
            cpuacct,
            dir,
            cgroup_path,
            mount_point: entry.mount_point.clone(),
            mount_id: entry.mount_id,
            device: entry.device,
        });
    }
    let served_by_v1: Controllers = hierarchies
        .iter()
        .filter(|h| h.version == Version::V1)
        .fold(Controllers::NONE, |acc, h| acc.union(h.controllers));
    for h in hierarchies.iter_mut().filter(|h| h.version == Version::V2) {
        // A controller bound to a v1 hierarchy cannot serve v2; the freezer is built into v2.
        h.controllers = h.controllers.difference(served_by_v1);
        if !served_by_v1.contains(Controller::Freezer) {
            h.controllers = h.controllers.with(Controller::Freezer);
        }
    }
    let has = |v: Version| hierarchies.iter().any(|h| h.version == v);
    let kind = match (has(Version::V1), has(Version::V2)) {
        (true, true) => LayoutKind::Hybrid,
        (true, false) => LayoutKind::Legacy,
        _ => LayoutKind::Unified,
    };
    // Hierarchies without a supported controller (name=systemd, devices, ...) are not ours,
    // except cpuacct mounted apart from a v1 cpu hierarchy: the CPU usage of its groups is there.
    let cpu_without_cpuacct = hierarchies
        .iter()
        .any(|h| h.version == Version::V1 && h.controllers.contains(Controller::Cpu) && !h.cpuacct);
    hierarchies.retain(|h| !h.controllers.is_empty() || (h.cpuacct && cpu_without_cpuacct));
    Ok(Layout { kind, hierarchies })
}

/// Keeps one mount per hierarchy (superblock device): a hierarchy mounted twice under one base
/// would otherwise get each group twice, and a limit written in one copy would not bind a
/// process moved in through the other. The mount showing most of the hierarchy (shortest root)
/// wins; on a tie, the first in mount order.
fn one_mount_per_hierarchy(chosen: Vec<(&CgroupMount, PathBuf)>) -> Vec<(&CgroupMount, PathBuf)> {
    let mut kept: Vec<(&CgroupMount, PathBuf)> = Vec::with_capacity(chosen.len());
    for (entry, dir) in chosen {
        match kept.iter_mut().find(|(k, _)| k.device == entry.device) {
            Some(slot) if root_depth(entry) < root_depth(slot.0) => *slot = (entry, dir),
            Some(_) => {}
            None => kept.push((entry, dir)),
        }
    }
    kept
}

fn root_depth(entry: &CgroupMount) -> usize {
    entry.root.components().count()
}

/// The default base: the parent of the v1 mounts when there are any (v1 and hybrid hosts),
/// otherwise the cgroup2 mount.
pub(crate) fn default_base(mounts: &[CgroupMount]) -> Result<PathBuf> {
    let preferred = mounts
        .iter()
        .find(|m| !m.unified)
        .and_then(|m| m.mount_point.parent().map(Path::to_path_buf));
    preferred
        .or_else(|| {
            mounts
                .iter()
                .find(|m| m.unified)
                .map(|m| m.mount_point.clone())
        })
        .ok_or_else(|| Error::NotMounted {
            path: PathBuf::from(MOUNTINFO),
            reason: "no cgroup or cgroup2 filesystem is mounted".into(),
        })
}

/// An absolute base without `..`, `.` and trailing slashes.
pub(super) fn normalize_base(base: &Path) -> Result<PathBuf> {
    if !base.is_absolute() || base.components().any(|c| c == Component::ParentDir) {
        return Err(Error::InvalidArgument(format!(
            "base {} must be an absolute path without '..'",
            base.display()
        )));
    }
    Ok(base.components().collect())
}
