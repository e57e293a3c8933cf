//! Creating a group's directories in one hierarchy: every missing component, the v1 cpuset
//! values copied from the parent, and on v2 only the missing controllers enabled above it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::controller::{cpuset, Controller, Controllers};
use crate::error::{Error, Result};
use crate::fsio;
use crate::mounts::{Hierarchy, Layout, Version};
use crate::name;

/// Directories made by one open, removed again (deepest first) if the open fails later, so that a
/// failed open leaves the filesystem as it was.
#[derive(Default)]
pub(crate) struct Created(Vec<PathBuf>);

impl Created {
    /// Removes what was created; a directory that cannot be removed (a process entered it
    /// meanwhile) is left, since removing it would need a migration the caller did not ask for.
    pub(crate) fn roll_back(self) {
        for dir in self.0.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Creates `hierarchy.dir/components...` where missing and returns the group's directory.
///
/// The group's own `mkdir` comes first: its parents are made only when it reports them missing,
/// so opening a group under an existing user directory costs one system call.
///
/// Fails with [`Error::NotFound`] when `hierarchy.dir` does not exist, and with the classified
/// OS error of `mkdir` or of the cpuset copy otherwise.
pub(crate) fn create_dirs(
    hierarchy: &Hierarchy,
    components: &[&str],
    created: &mut Created,
) -> Result<PathBuf> {
    let dir = components
        .iter()
        .fold(hierarchy.dir.clone(), |dir, c| dir.join(c));
    make_dir(hierarchy, &dir, created, true)?;
    Ok(dir)
}

fn make_dir(hierarchy: &Hierarchy, dir: &Path, created: &mut Created, parents: bool) -> Result<()> {
    let parent = dir.parent().unwrap_or(dir);
    match fs::create_dir(dir) {
        Ok(()) => {
            created.0.push(dir.to_path_buf());
            if hierarchy.version == Version::V1
                && hierarchy.controllers.contains(Controller::Cpuset)
            {
                copy_cpuset(parent, dir)?;
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) && parents && parent != hierarchy.dir => {
            make_dir(hierarchy, parent, created, true)?;
            make_dir(hierarchy, dir, created, false)
        }
        Err(e) if matches!(e.raw_os_error(), Some(libc::EACCES) | Some(libc::EPERM)) => Err(Error::Permission {
            action: "create",
            path: dir.to_path_buf(),
            source: e,
            hint: " (this subtree is not writable by the caller: as root, run `user_cgroups USER` to hand a user their subtree)".into(),
        }),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Err(Error::NotFound {
            path: parent.to_path_buf(),
        }),
        Err(e) => Err(Error::from_io("mkdir", dir, e)),
    }
}

/// Makes `dir` unless it exists (its parent must exist).
pub(crate) fn ensure_dir(dir: &Path) -> Result<()> {
    match fs::create_dir(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(Error::from_io("mkdir", dir, e)),
        _ => Ok(()),
    }
}

fn copy_cpuset(parent: &Path, child: &Path) -> Result<()> {
    for file in cpuset::V1_INHERITED_FILES {
        let source = parent.join(file);
        let value = fsio::read_text(&source).map_err(|e| Error::from_io("read", &source, e))?;
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let target = child.join(file);
        fsio::write_value(&target, value.as_bytes())
            .map_err(|e| Error::from_io("write", &target, e))?;
    }
    Ok(())
}

/// Makes `wanted` available in the v2 group `group` by writing only the missing `+controller`
/// tokens into the `cgroup.subtree_control` of each ancestor, from the top of the mount down.
///
/// Fails with [`Error::ControllerUnavailable`] when an ancestor does not offer a controller,
/// [`Error::Busy`] when an ancestor holds processes (the no-internal-process rule), and
/// [`Error::Permission`] when an ancestor is not writable (for example the root, for a non-root
/// caller).
pub(crate) fn enable_v2_controllers(
    hierarchy: &Hierarchy,
    group: &Path,
    wanted: Controllers,
) -> Result<()> {
    let wanted: Controllers = wanted.iter().filter(|c| c.v2_name().is_some()).collect();
    let missing = wanted.difference(fsio::read_v2_controllers(group)?);
    if missing.is_empty() {
        return Ok(());
    }
    let mut ancestors: Vec<&Path> = group
        .ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(&hierarchy.mount_point))
        .collect();
    ancestors.reverse();
    for dir in ancestors {
        let path = dir.join("cgroup.subtree_control");
        let enabled = fsio::read_text(&path)
            .map(|t| fsio::parse_v2_controllers(&t))
            .map_err(|e| Error::from_io("read", &path, e))?;
        let to_enable = missing.difference(enabled);
        if to_enable.is_empty() {
            continue;
        }
        let tokens: Vec<String> = to_enable
            .iter()
            .filter_map(Controller::v2_name)
            .map(|name| format!("+{name}"))
            .collect();
        fsio::write_value(&path, tokens.join(" ").as_bytes())
            .map_err(|e| enable_error(&path, to_enable, e))?;
    }
    Ok(())
}

fn enable_error(path: &Path, controllers: Controllers, source: io::Error) -> Error {
    let names: Vec<&str> = controllers.iter().map(Controller::name).collect();
    match source.raw_os_error() {
        Some(libc::ENOENT) => Error::ControllerUnavailable {
            controller: controllers.iter().next().map_or("?", Controller::name),
            reason: format!("{} does not offer {}", path.display(), names.join(", ")),
        },
        Some(libc::EBUSY) => Error::Busy {
            path: path.to_path_buf(),
            reason: format!(
                "cannot enable {} here: the group holds processes, and cgroup v2 allows controllers \
                 only above groups without processes of their own",
                names.join(", ")
            ),
        },
        Some(libc::EACCES) | Some(libc::EPERM) => Error::Permission {
            action: "enable controllers in",
            path: path.to_path_buf(),
            source,
            hint: format!(" (enabling {} needs write access here; ask root to run user_cgroups)", names.join(", ")),
        },
        _ => Error::Os { action: "enable controllers in", path: path.to_path_buf(), source },
    }
}

impl Layout {
    /// Creates the directory `relative` (validated like a group name) in every hierarchy and
    /// returns the layout rooted there (see [`Layout::subtree`]): a private prefix under which
    /// users' subtrees can be made, for example by tests. Existing directories are reused.
    ///
    /// Fails like [`crate::Cgroup::open`]; a failure removes what it created.
    pub fn create_subtree(&self, relative: &str) -> Result<Layout> {
        let components = name::group_components(relative)?;
        let mut created = Created::default();
        for hierarchy in self.hierarchies() {
            if let Err(err) = create_dirs(hierarchy, &components, &mut created) {
                created.roll_back();
                return Err(err);
            }
        }
        self.subtree(relative)
    }
}
