// SPDX-License-Identifier: MIT OR Apache-2.0
//! A context: a layout and a user, resolved and opened once, from which many groups are opened
//! without re-reading `/proc/self/mountinfo` or the passwd database; or a context at the cgroup
//! the caller lives in, for a delegated service or a container managing its own subtree.

use std::sync::{Arc, OnceLock};

use crate::cgroup::{Cgroup, Selection};
use crate::error::{Error, Result};
use crate::layout::{Controllers, Hierarchy, Layout, Version};
use crate::open::{self, Create, Subtrees};
use crate::procfs;
use crate::subtree::Subtree;
use crate::sys;
use crate::user::User;

/// The layout and the user whose subtree groups are opened in. Share it between threads freely;
/// groups opened through it stay valid after it is dropped.
#[derive(Debug)]
pub struct Context {
    layout: Layout,
    /// The user's directory under each hierarchy's base; `None` for a context at the caller's
    /// own cgroup, whose groups go directly below it.
    user: Option<String>,
    /// Each hierarchy's base, opened and checked on first use.
    subtrees: Vec<OnceLock<Arc<Subtree>>>,
}

impl Context {
    /// Resolves `user` (`None` or `"current"`: the effective user) once, for `layout`. The
    /// hierarchies' directories are opened (and checked to be the cgroup mounts the layout
    /// names) when a group is first opened in them.
    ///
    /// Fails with [`Error::InvalidArgument`] for a malformed user name and
    /// [`Error::NoSuchUser`] for an unknown one.
    pub fn new(layout: Layout, user: Option<&str>) -> Result<Context> {
        let user = User::resolve(user)?;
        Ok(Context::with_user(layout, Some(user.dir)))
    }

    fn with_user(layout: Layout, user: Option<String>) -> Context {
        let subtrees = layout
            .hierarchies()
            .iter()
            .map(|_| OnceLock::new())
            .collect();
        Context {
            layout,
            user,
            subtrees,
        }
    }

    /// A context at the cgroups the calling process lives in (`/proc/self/cgroup`), in each
    /// hierarchy of `layout`: groups are created directly below them, and processes removed from
    /// a group go back to them (on v2, to their leaf `cgroups.user`). For a service started with
    /// systemd's `Delegate=yes`, or a container with its own cgroup namespace. On v2 only the
    /// controllers the caller's cgroup offers (what was delegated) are used.
    ///
    /// On v2 a cgroup with processes of its own cannot give controllers to children (the
    /// no-internal-process rule), so the processes of the caller's cgroup, the caller included,
    /// are moved into its leaf `cgroups.user` now. A caller already in that leaf counts as in
    /// its parent.
    ///
    /// Fails with [`Error::Unsupported`] when the caller lives in a root cgroup (which belongs
    /// to the host), [`Error::NotMounted`] when its cgroup is not visible below the layout's
    /// base, and [`Error::Permission`] when its cgroup was not delegated to it.
    pub fn new_self(layout: &Layout) -> Result<Context> {
        Context::at_process_cgroups(layout, 0)
    }

    /// A context at the cgroups process `pid` (0: the caller) lives in; see
    /// [`Context::new_self`], whose rules and errors it shares.
    pub(crate) fn at_process_cgroups(layout: &Layout, pid: libc::pid_t) -> Result<Context> {
        let text =
            procfs::read_process_file(pid, "cgroup").map_err(|e| match e.raw_os_error() {
                Some(libc::ESRCH) => Error::no_such_process(pid),
                _ => Error::from_io("read", format!("/proc/{pid}/cgroup"), e),
            })?;
        let layout = layout.at_cgroups_of(&text)?;
        let mut subtrees = Vec::with_capacity(layout.hierarchies().len());
        for h in layout.hierarchies() {
            let subtree = Subtree::open(h, None)?;
            if is_root_cgroup(&subtree)? {
                return Err(Error::Unsupported(format!(
                    "the process lives in the root cgroup {}; a context at its own cgroup needs a \
                     cgroup of its own (a delegated service, a scope or a container)",
                    h.dir.display()
                )));
            }
            subtrees.push(subtree);
        }
        let offered = subtrees
            .iter()
            .map(delegated_controllers)
            .collect::<Result<Vec<_>>>()?;
        let layout = layout.restricted_to(&offered);
        let context = Context::with_user(layout, None);
        for (cell, subtree) in context.subtrees.iter().zip(subtrees) {
            if subtree.version() == Version::V2 {
                move_processes_to_leaf(&subtree)?;
            }
            let _ = cell.set(Arc::new(subtree));
        }
        Ok(context)
    }

    /// The layout groups are opened in.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The name of the directory of the user's subtree (`None` at the caller's own cgroup).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Opens (creates or loads) the group `name` (`a` or `a/b/c`) of the context's user, creating
    /// its directories where missing: `<hierarchy>/<user>/<name>`.
    ///
    /// With [`Selection::All`], an existing group is loaded in the hierarchies where it exists, and
    /// a new one is created in every hierarchy that serves a supported controller. On v2, the
    /// controllers the group needs are enabled in its ancestors (only the missing ones); on v1,
    /// new cpuset groups get their parent's CPUs and memory nodes.
    ///
    /// Fails with [`Error::InvalidArgument`] (bad name, empty selection, a name that is a file),
    /// [`Error::ControllerUnavailable`] (a controller the host lacks), [`Error::NotMounted`] (a
    /// hierarchy's directory is not the cgroup mount the layout names), [`Error::Permission`],
    /// [`Error::Busy`] (v2: an ancestor holds processes), or the error of `mkdir`. A failed open
    /// removes what it created.
    pub fn open(&self, name: &str, selection: Selection) -> Result<Cgroup> {
        open::open_group(self, self.user.as_deref(), name, selection, Create::Missing)
    }

    /// Loads the existing group `name`, in every hierarchy where it exists, without creating
    /// anything: for tools that read or remove groups.
    ///
    /// Fails with [`Error::NotFound`] when the group exists in no hierarchy, and otherwise like
    /// [`Context::open`].
    pub fn load(&self, name: &str) -> Result<Cgroup> {
        open::open_group(
            self,
            self.user.as_deref(),
            name,
            Selection::All,
            Create::Nothing,
        )
    }

    /// The names of the user's groups (`a`, `a/b`, ...), in any hierarchy, sorted; the library's
    /// own leaf `cgroups.user` is left out. An empty list when the user's directory does not
    /// exist yet.
    ///
    /// Fails with the error of reading a directory.
    pub fn groups(&self) -> Result<Vec<String>> {
        let mut names = std::collections::BTreeSet::new();
        for index in 0..self.layout.hierarchies().len() {
            let subtree = self.subtree(index)?;
            let top = subtree.path_of(subtree.user_relative());
            collect_groups(&top, "", &mut names)?;
        }
        Ok(names.into_iter().collect())
    }
}

impl Subtrees for Context {
    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn subtree(&self, index: usize) -> Result<Arc<Subtree>> {
        let cell = &self.subtrees[index];
        if let Some(subtree) = cell.get() {
            return Ok(Arc::clone(subtree));
        }
        let subtree = Subtree::open(&self.layout.hierarchies()[index], self.user.as_deref())?;
        Ok(Arc::clone(cell.get_or_init(|| Arc::new(subtree))))
    }
}

impl Cgroup {
    /// Opens the group `name` of `user` (`None` or `"current"`: the effective user) on `layout`:
    /// a [`Context`] made for this one call. See [`Context::open`] for the rules and errors, and
    /// [`Context::new`] for the user's.
    pub fn open(
        layout: &Layout,
        name: &str,
        selection: Selection,
        user: Option<&str>,
    ) -> Result<Cgroup> {
        Context::new(layout.clone(), user)?.open(name, selection)
    }
}

/// Adds the names of the group directories below `dir` (the group `prefix`) to `names`.
fn collect_groups(
    dir: &std::path::Path,
    prefix: &str,
    names: &mut std::collections::BTreeSet<String>,
) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::from_io("list", dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::from_io("list", dir, e))?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let Some(name) = entry.file_name().to_str().map(String::from) else {
            continue;
        };
        if !is_dir || name == crate::name::USER_LEAF {
            continue;
        }
        let full = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        collect_groups(&entry.path(), &full, names)?;
        names.insert(full);
    }
    Ok(())
}

/// Whether the subtree's base is the root of its hierarchy on the host (not a cgroup namespace's
/// root): v2's real root has no `cgroup.events`, v1's has the `release_agent` file.
fn is_root_cgroup(subtree: &Subtree) -> Result<bool> {
    let (file, present_at_root) = match subtree.version() {
        Version::V2 => ("cgroup.events", false),
        Version::V1 => ("release_agent", true),
    };
    let exists = sys::exists_at(subtree.base(), file)
        .map_err(|e| Error::from_io("stat", subtree.path_of(std::path::Path::new(file)), e))?;
    Ok(exists == present_at_root)
}

/// What the caller's own v2 cgroup offers its children (`cgroup.controllers`); everything on v1.
fn delegated_controllers(subtree: &Subtree) -> Result<Controllers> {
    if subtree.version() == Version::V1 {
        return Ok(Controllers::KNOWN);
    }
    sys::read_file_at(subtree.base(), "cgroup.controllers")
        .map(|text| Controllers::from_v2_list(&text))
        .map_err(|e| {
            Error::from_io(
                "read",
                hierarchy_file(subtree.hierarchy(), "cgroup.controllers"),
                e,
            )
        })
}

fn hierarchy_file(h: &Hierarchy, file: &str) -> std::path::PathBuf {
    h.dir.join(file)
}

/// Moves every process of the v2 cgroup at the subtree's base into its leaf `cgroups.user`.
fn move_processes_to_leaf(subtree: &Subtree) -> Result<()> {
    let text = sys::read_file_at(subtree.base(), "cgroup.procs").map_err(|e| {
        Error::from_io(
            "read",
            hierarchy_file(subtree.hierarchy(), "cgroup.procs"),
            e,
        )
    })?;
    let pids: Vec<libc::pid_t> = text
        .split(u8::is_ascii_whitespace)
        .filter_map(|p| std::str::from_utf8(p).ok()?.parse().ok())
        .filter(|&pid| pid > 0)
        .collect();
    if pids.is_empty() {
        return Ok(());
    }
    subtree.move_to_user_group(&pids)
}
