//! A context: a layout and a user, resolved once, from which many groups are opened without
//! re-reading `/proc/self/mountinfo` or the passwd database; or a context at the cgroup the
//! caller lives in, for a delegated service or a container managing its own subtree.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::cgroup::{Cgroup, Selection};
use crate::controller::Controllers;
use crate::create;
use crate::error::{Error, Result};
use crate::fsio;
use crate::migrate;
use crate::mounts::{Hierarchy, Layout, Version};
use crate::name::USER_LEAF;
use crate::user;

/// The layout and the user whose subtree groups are opened in. Share it between threads freely.
#[derive(Debug)]
pub struct Context {
    layout: Layout,
    /// The user's directory under each hierarchy's base; `None` for a context at the caller's
    /// own cgroup, whose groups go directly below it.
    user: Option<String>,
    /// v2 controllers seen enabled down to the user's directory: a direct child of it needs no
    /// check at open. Only a hint; a controller disabled later is enabled again on first use.
    v2_enabled: AtomicU32,
}

impl Clone for Context {
    fn clone(&self) -> Context {
        Context {
            layout: self.layout.clone(),
            user: self.user.clone(),
            v2_enabled: AtomicU32::new(self.v2_enabled.load(Ordering::Relaxed)),
        }
    }
}

impl Context {
    /// Resolves `user` (`None` or `"current"`: the effective user) once, for `layout`.
    ///
    /// Fails with [`crate::Error::InvalidArgument`] for a malformed user name and
    /// [`crate::Error::NoSuchUser`] for an unknown one.
    pub fn new(layout: Layout, user: Option<&str>) -> Result<Context> {
        Ok(Context {
            user: Some(user::resolve_user_dir(user)?),
            layout,
            v2_enabled: AtomicU32::new(0),
        })
    }

    /// The layout groups are opened in.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// A context at the cgroups the calling process lives in (`/proc/self/cgroup`), in each
    /// hierarchy of `layout`: groups are created directly below them, and processes removed from
    /// a group go back to them (on v2, to their leaf `cgroups.user`). For a service started with
    /// systemd's `Delegate=yes`, or a container with its own cgroup namespace.
    ///
    /// On v2 a cgroup with processes of its own cannot give controllers to children (the
    /// no-internal-process rule), so the processes of the caller's cgroup, the caller included,
    /// are moved into its leaf `cgroups.user` now. A caller already in that leaf counts as in
    /// its parent.
    ///
    /// Fails with [`crate::Error::Unsupported`] when the caller lives in a root cgroup (which
    /// belongs to the host), [`crate::Error::NotMounted`] when its cgroup is not visible below
    /// the layout's base, and [`crate::Error::Permission`] when its cgroup was not delegated to it.
    pub fn own_cgroup(layout: &Layout) -> Result<Context> {
        let proc_self = Path::new("/proc/self/cgroup");
        let text = fsio::read_text(proc_self).map_err(|e| Error::from_io("read", proc_self, e))?;
        let layout = layout.at_cgroups_of(&text)?;
        for h in layout.hierarchies() {
            if is_root_cgroup(h) {
                return Err(Error::Unsupported(format!(
                    "the calling process lives in the root cgroup {}; a context at its own cgroup needs a \
                     cgroup of its own (a delegated service or a container)",
                    h.dir.display()
                )));
            }
        }
        for h in layout
            .hierarchies()
            .iter()
            .filter(|h| h.version == Version::V2)
        {
            move_processes_to_leaf(h)?;
        }
        Ok(Context {
            layout,
            user: None,
            v2_enabled: AtomicU32::new(0),
        })
    }

    /// The name of the directory of the user's subtree (`None` at the caller's own cgroup).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The components of group `components`' directory below each hierarchy's base: the user's
    /// directory, if any, then the group's own.
    pub(crate) fn group_path<'a>(&'a self, components: &[&'a str]) -> Vec<&'a str> {
        self.user()
            .into_iter()
            .chain(components.iter().copied())
            .collect()
    }

    /// The v2 controllers known to be enabled down to the user's directory.
    pub(crate) fn v2_enabled(&self) -> Controllers {
        Controllers::from_bits(self.v2_enabled.load(Ordering::Relaxed)).unwrap_or_default()
    }

    /// Records v2 controllers seen enabled down to the user's directory.
    pub(crate) fn mark_v2_enabled(&self, controllers: Controllers) {
        self.v2_enabled
            .fetch_or(controllers.bits(), Ordering::Relaxed);
    }

    /// Opens (creates or loads) the group `name`; see [`Cgroup::open`] for the rules and errors.
    pub fn open(&self, name: &str, selection: Selection) -> Result<Cgroup> {
        Cgroup::open_in(self, name, selection)
    }
}

/// Whether `h.dir` is the root of its hierarchy on the host (not a cgroup namespace's root): v2's
/// real root has no `cgroup.events`, v1's has the `release_agent` file.
fn is_root_cgroup(h: &Hierarchy) -> bool {
    match h.version {
        Version::V2 => !h.dir.join("cgroup.events").exists(),
        Version::V1 => h.dir.join("release_agent").exists(),
    }
}

/// Moves every process of the v2 cgroup `h.dir` into its leaf `cgroups.user`.
fn move_processes_to_leaf(h: &Hierarchy) -> Result<()> {
    let procs = h.dir.join("cgroup.procs");
    let pids = fsio::read_text(&procs).map_err(|e| Error::from_io("read", &procs, e))?;
    let pids = fsio::parse_pids(&pids);
    if pids.is_empty() {
        return Ok(());
    }
    let leaf = h.dir.join(USER_LEAF);
    create::ensure_dir(&leaf)?;
    migrate::move_processes(&leaf, Version::V2, &pids)?;
    Ok(())
}
