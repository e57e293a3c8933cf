// SPDX-License-Identifier: MIT OR Apache-2.0
//! Opening groups: every missing directory is created (v1 cpuset values copied from the parent,
//! v2 controllers enabled above it), existing ones are loaded, and a failed open leaves nothing
//! behind.

use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cgroup::{Cgroup, Selection};
use crate::controller::cpuset;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::layout::{Controller, Controllers, Layout, Version};
use crate::name;
use crate::subtree::Subtree;
use crate::sys;

/// The subtree of each hierarchy of a layout, opened on first use.
pub(crate) trait Subtrees {
    /// The layout the subtrees are in.
    fn layout(&self) -> &Layout;
    /// The subtree of hierarchy `index` of the layout.
    fn subtree(&self, index: usize) -> Result<Arc<Subtree>>;
}

/// Whether an open may create the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Create {
    /// Create what is missing (the group's directories, and their parents).
    Missing,
    /// Only load a group that exists.
    Nothing,
}

/// Opens the group `name` of the user whose directory (if any) the subtrees hold, creating it
/// or only loading it; see [`crate::Context::open`] and [`crate::Context::load`].
pub(crate) fn open_group(
    subtrees: &dyn Subtrees,
    user: Option<&str>,
    name: &str,
    selection: Selection,
    create: Create,
) -> Result<Cgroup> {
    let components = name::group_components(name)?;
    let layout = subtrees.layout();
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
    let mut chosen: Vec<usize> = (0..layout.hierarchies().len())
        .filter(|&i| layout.hierarchies()[i].used_for(wanted))
        .collect();
    if chosen.is_empty() {
        return Err(Error::ControllerUnavailable {
            controller: "any",
            reason: "the host offers no supported controller".into(),
        });
    }
    let relative: PathBuf = user.into_iter().chain(components.iter().copied()).collect();
    if selection == Selection::All || create == Create::Nothing {
        let mut existing = Vec::new();
        for &i in &chosen {
            if sys::stat_at(subtrees.subtree(i)?.base(), &relative).is_ok() {
                existing.push(i);
            }
        }
        if existing.is_empty() && create == Create::Nothing {
            return Err(Error::NotFound {
                path: subtrees.subtree(chosen[0])?.path_of(&relative),
            });
        }
        if !existing.is_empty() {
            chosen = existing;
        }
    }
    let mut created = Created::default();
    let mut dirs = Vec::with_capacity(chosen.len());
    for i in chosen {
        let served = layout.hierarchies()[i].controllers;
        let opened = subtrees.subtree(i).and_then(|subtree| {
            let mut controllers = served.intersection(wanted);
            if selection == Selection::All {
                controllers = controllers.intersection(usable_for_all(&subtree)?);
            }
            open_dir(subtree, &relative, controllers, create, &mut created)
        });
        match opened {
            Ok(dir) => dirs.push(dir),
            Err(err) => {
                created.roll_back();
                return Err(err);
            }
        }
    }
    Ok(Cgroup::new(name.to_string(), user.map(String::from), dirs))
}

/// With [`Selection::All`], the controllers of a v2 subtree that a non-root caller can use: those
/// its own directory offers (root may have withdrawn others above it since it was delegated).
fn usable_for_all(subtree: &Subtree) -> Result<Controllers> {
    if subtree.version() == Version::V1 || subtree.caller() == 0 {
        return Ok(Controllers::KNOWN);
    }
    let user = subtree.user_relative();
    let dir = if user.as_os_str().is_empty() {
        sys::reopen_dir(subtree.base())
    } else {
        sys::open_dir_beneath(subtree.base(), user)
    };
    let offered = dir
        .and_then(|dir| sys::read_file_at(dir.as_fd(), "cgroup.controllers"))
        .map_err(|e| Error::from_io("read", subtree.path_of(user).join("cgroup.controllers"), e))?;
    Ok(Controllers::from_v2_list(&offered).with(Controller::Freezer))
}

/// Creates (or loads) the directory `relative` below the subtree's base and opens it.
fn open_dir(
    subtree: Arc<Subtree>,
    relative: &Path,
    controllers: Controllers,
    create: Create,
    created: &mut Created,
) -> Result<GroupDir> {
    let is_new = create == Create::Missing && make_dirs(&subtree, relative, created)?;
    let user = subtree.user_relative();
    if subtree.version() == Version::V2
        && !user.as_os_str().is_empty()
        && created.made(&subtree, user)
    {
        // Made with the user's directory, so that later moves into it (remove, delete) need no
        // mkdir, which cgroup.max.descendants could refuse.
        make_dirs(&subtree, &user.join(name::USER_LEAF), created)?;
    }
    let path = subtree.path_of(relative);
    let fd =
        sys::open_dir_beneath(subtree.base(), relative).map_err(|e| match e.raw_os_error() {
            Some(libc::ENOTDIR) => {
                Error::InvalidArgument(format!("{} is a file, not a group", path.display()))
            }
            _ => Error::from_io("open", &path, e),
        })?;
    let owner = if is_new {
        subtree.caller()
    } else {
        sys::stat(fd.as_fd())
            .map_err(|e| Error::from_io("stat", &path, e))?
            .uid
    };
    // A direct child of the user's directory gets the controllers enabled there; the subtree
    // remembers which those are, so only other groups need the check.
    let known = relative.parent() == Some(subtree.user_relative())
        && subtree.v2_enabled().intersection(controllers) == controllers;
    if subtree.version() == Version::V2 && !known {
        subtree.enable_v2_controllers(fd.as_fd(), relative, controllers)?;
    }
    let dir = GroupDir::new(subtree, fd, relative.to_path_buf(), controllers, owner);
    if is_new {
        dir.mark_made_here();
    }
    Ok(dir)
}

/// Makes `relative` below the base, and its missing parents (never the base itself). The
/// group's own `mkdir` comes first: its parents are made only when it reports them missing, so
/// a group under an existing user directory costs one system call. Returns whether the group's
/// directory was made now.
pub(crate) fn make_dirs(
    subtree: &Arc<Subtree>,
    relative: &Path,
    created: &mut Created,
) -> Result<bool> {
    let path = subtree.path_of(relative);
    match sys::mkdir_at(subtree.base(), relative) {
        Ok(()) => {
            created
                .0
                .push((Arc::clone(subtree), relative.to_path_buf()));
            after_mkdir(subtree, relative)?;
            Ok(true)
        }
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(false),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => match relative.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => {
                make_dirs(subtree, parent, created)?;
                make_dirs(subtree, relative, created)
            }
            _ => Err(Error::NotFound {
                path: subtree.hierarchy().dir.clone(),
            }),
        },
        Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Err(Error::Os {
            action: "create",
            path,
            source: e,
            hint: " (an ancestor's cgroup.max.descendants or cgroup.max.depth is reached)".into(),
        }),
        Err(e) => Err(Error::from_io("create", &path, e).with_permission_hint(
            " (this subtree is not writable by the caller: root has to delegate the user's \
             subtree first)",
        )),
    }
}

/// What a new directory needs before it can take processes: on v1, cpuset values.
fn after_mkdir(subtree: &Subtree, relative: &Path) -> Result<()> {
    if subtree.version() == Version::V1
        && subtree.hierarchy().controllers.contains(Controller::Cpuset)
    {
        let parent = relative.parent().unwrap_or(Path::new(""));
        cpuset::copy_from_parent(subtree, parent, relative)?;
    }
    Ok(())
}

/// Directories made by one open, removed again (deepest first) if the open fails later, so that a
/// failed open leaves the filesystem as it was.
#[derive(Default)]
pub(crate) struct Created(Vec<(Arc<Subtree>, PathBuf)>);

impl Created {
    /// Whether `relative` below the base of `subtree` was made by this open.
    fn made(&self, subtree: &Arc<Subtree>, relative: &Path) -> bool {
        self.0
            .iter()
            .any(|(s, made)| Arc::ptr_eq(s, subtree) && made == relative)
    }

    /// Removes what was created; a directory that cannot be removed (a process entered it
    /// meanwhile) is left, since removing it would need a migration the caller did not ask for.
    pub(crate) fn roll_back(self) {
        for (subtree, relative) in self.0.iter().rev() {
            let _ = sys::rmdir_at(subtree.base(), relative);
        }
    }
}

/// Creates the directory `relative` (validated like a group name) in every hierarchy of
/// `layout` and returns the layout rooted there (see [`Layout::subtree`]): a private prefix
/// under which users' subtrees can be made, for example by a job runner or by tests. Existing
/// directories are reused.
///
/// Fails like [`crate::Context::open`]; a failure removes what it created.
pub fn create_subtree(layout: &Layout, relative: &str) -> Result<Layout> {
    let components = name::group_components(relative)?;
    let relative: PathBuf = components.iter().collect();
    let mut created = Created::default();
    for hierarchy in layout.hierarchies() {
        let made = Subtree::open(hierarchy, None)
            .map(Arc::new)
            .and_then(|subtree| make_dirs(&subtree, &relative, &mut created));
        if let Err(err) = made {
            created.roll_back();
            return Err(err);
        }
    }
    layout.subtree(&components.join("/"))
}
