// SPDX-License-Identifier: MIT OR Apache-2.0
//! Delegating a user's subtree (what `user_cgroups` does, as root): the user's directory in
//! every hierarchy, handed over under the kernel's delegation rules, so that the user can manage
//! their own groups without root.
//!
//! Every step works on descriptors opened beneath the checked base (`mkdirat`, `fchownat` with
//! `AT_SYMLINK_NOFOLLOW`): a user who controls a directory on the way to the base cannot
//! redirect root's `chown` to another group by swapping directories or planting symlinks.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::sync::Arc;

use nix::unistd::geteuid;

use crate::error::{Error, Result};
use crate::layout::{Controllers, Hierarchy, Layout, Version};
use crate::name::USER_LEAF;
use crate::open::{self, Created};
use crate::subtree::Subtree;
use crate::sys;
use crate::user::User;

/// The files of a user's directory that the kernel's delegation contract hands to the user, per
/// version (v1: moving processes; v2: moving processes and threads, enabling controllers).
const fn delegated_files(version: Version) -> &'static [&'static str] {
    match version {
        Version::V1 => &["cgroup.procs", "tasks"],
        Version::V2 => &["cgroup.procs", "cgroup.threads", "cgroup.subtree_control"],
    }
}

/// Prepares `user`'s subtree in every hierarchy of `layout` so that the user can create, limit
/// and delete their own groups and move their own processes without root.
///
/// v1: `<hierarchy>/<user>` owned by the user with its `cgroup.procs` and `tasks`. v2:
/// `<base>/<user>`, the controllers the layout serves enabled above it (only the missing ones),
/// the directory and its `cgroup.procs`, `cgroup.threads` and `cgroup.subtree_control` owned by
/// the user, and the user's leaf (`cgroups.user`) for processes outside any group. The resource
/// files stay root's, so limits root sets on the user's directory bind all the user's groups.
/// Idempotent. Nothing outside the layout's directories is changed; no symlink is followed.
///
/// Fails with [`Error::Permission`] unless run as root, [`Error::NoSuchUser`] for an unknown
/// user, [`Error::InvalidArgument`] for a malformed name (or the uid 4294967295),
/// [`Error::NotMounted`] when a hierarchy's directory is not the cgroup mount the layout names,
/// and with the error of `mkdir`, controller enabling or `chown`. A failure removes the
/// directories it created.
pub fn delegate_subtree(layout: &Layout, user: &str) -> Result<()> {
    let base = layout
        .hierarchies()
        .first()
        .map_or(Path::new("/"), |h| h.dir.as_path());
    if !geteuid().is_root() {
        return Err(Error::Permission {
            action: "prepare a user's subtree in",
            path: base.to_path_buf(),
            source: io::Error::from_raw_os_error(libc::EPERM),
            hint: " (only root can hand a subtree to a user)".into(),
        });
    }
    let user = User::resolve(Some(user))?;
    let mut created = Created::default();
    for hierarchy in layout.hierarchies() {
        if let Err(err) = prepare(hierarchy, &user, &mut created) {
            created.roll_back();
            return Err(err);
        }
    }
    Ok(())
}

fn prepare(hierarchy: &Hierarchy, user: &User, created: &mut Created) -> Result<()> {
    let subtree = Arc::new(Subtree::open(hierarchy, None)?);
    let user_dir = Path::new(&user.dir);
    let dir = make_and_open(&subtree, user_dir, created)?;
    if hierarchy.version == Version::V2 {
        let wanted: Controllers = hierarchy.controllers;
        subtree.enable_v2_controllers(dir.as_fd(), user_dir, wanted)?;
    }
    hand_over(
        &subtree,
        user_dir,
        dir.as_fd(),
        delegated_files(hierarchy.version),
        user,
    )?;
    if hierarchy.version == Version::V2 {
        let leaf = user_dir.join(USER_LEAF);
        let leaf_dir = make_and_open(&subtree, &leaf, created)?;
        hand_over(
            &subtree,
            &leaf,
            leaf_dir.as_fd(),
            &["cgroup.procs", "cgroup.threads"],
            user,
        )?;
    }
    Ok(())
}

/// Makes `relative` below the base unless it exists (as a group's directories are made), and
/// opens it.
fn make_and_open(
    subtree: &Arc<Subtree>,
    relative: &Path,
    created: &mut Created,
) -> Result<OwnedFd> {
    open::make_dirs(subtree, relative, created)?;
    sys::open_dir_beneath(subtree.base(), relative)
        .map_err(|e| Error::from_io("open", subtree.path_of(relative), e))
}

/// Gives the directory `dir` (at `relative` below the base) and `files` in it to the user, never
/// following a symlink.
fn hand_over(
    subtree: &Subtree,
    relative: &Path,
    dir: BorrowedFd<'_>,
    files: &[&str],
    user: &User,
) -> Result<()> {
    let path = subtree.path_of(relative);
    sys::chown_at(dir, None, user.uid, user.gid).map_err(|e| Error::from_io("chown", &path, e))?;
    for file in files {
        sys::chown_at(dir, Some(file), user.uid, user.gid)
            .map_err(|e| Error::from_io("chown", path.join(file), e))?;
    }
    Ok(())
}
