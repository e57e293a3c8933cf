// SPDX-License-Identifier: MIT OR Apache-2.0
//! The process-wide cache behind the one-call path (`cgroups_open`): a resolved [`Context`] per
//! (base, user), so that opening one group per call costs what opening it through a context
//! costs, without state that can go stale.
//!
//! What could change underneath is checked on every call, cheaply:
//! - the mount table: `/proc/thread-self/mountinfo` is kept open, and the kernel flags it for
//!   `poll` (POLLPRI) whenever a mount or unmount happens in its namespace; a `poll` with a
//!   zero timeout says whether one did since the last call, and the cache is emptied if so;
//! - the mount namespace: the mount id of the root directory (one `statx`) changes with
//!   `unshare(CLONE_NEWNS)`, `setns` and `chroot`, so a thread or process that moved to another
//!   namespace or root starts afresh;
//! - the process: a child after `fork` does not share its parent's watch (both would consume
//!   the same notification), so a new pid starts afresh;
//! - the user: "the current user" is keyed by the effective uid, so a `seteuid` is another
//!   entry. A user's passwd name is read once per entry (a rename in passwd is not seen until
//!   the mount table changes: the directory name is the name the entry was made with).
//!
//! A group directory or a user directory removed and made again behind the cache is handled
//! where it is used: an open that finds the cached base or user directory gone is retried once
//! with a new context, and a subtree opens its user's group again when it was removed.

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use nix::fcntl::OFlag;

use crate::cgroup::{Cgroup, Selection};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::sys;

/// How many (base, user) contexts are kept; each holds a few descriptors per hierarchy used.
const MAX_ENTRIES: usize = 4;

/// Whose subtree: the effective user by uid, or a user named by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
enum UserKey {
    Effective(u32),
    Named(String),
}

#[derive(Debug)]
struct Entry {
    base: Option<PathBuf>,
    user: UserKey,
    context: Arc<Context>,
}

/// The mount table the entries were resolved in.
#[derive(Debug)]
struct Watch {
    /// `/proc/thread-self/mountinfo`, open: it polls POLLPRI after a mount-table change.
    mountinfo: OwnedFd,
    /// The mount namespace (device and inode of `/proc/thread-self/ns/mnt`).
    namespace: (u64, u64),
    /// The process that opened it.
    pid: u32,
}

#[derive(Debug, Default)]
struct Cache {
    watch: Option<Watch>,
    /// Most recently used last.
    entries: Vec<Entry>,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    watch: None,
    entries: Vec::new(),
});

/// The identity of the calling thread's mount namespace and root: the mount id of its root
/// directory, which `unshare(CLONE_NEWNS)`, `setns` and `chroot` all change (one `statx` of "/",
/// a fraction of `stat` on `/proc/thread-self/ns/mnt`); that `stat` before Linux 5.8.
fn namespace() -> Option<(u64, u64)> {
    match sys::root_mount_id() {
        Ok(Some(id)) => Some((id, 0)),
        _ => nix::sys::stat::stat("/proc/thread-self/ns/mnt")
            .ok()
            .map(|st| (st.st_dev, st.st_ino)),
    }
}

impl Cache {
    /// Empties the cache if the mount table, the namespace or the process changed since the
    /// watch was set up, and sets up a new watch then. Returns false when no watch can be kept
    /// (no `/proc`): nothing is cached.
    fn revalidate(&mut self) -> bool {
        let (Some(namespace), pid) = (namespace(), std::process::id()) else {
            self.entries.clear();
            self.watch = None;
            return false;
        };
        if let Some(watch) = &self.watch {
            if watch.pid == pid && watch.namespace == namespace {
                match sys::poll_priority(watch.mountinfo.as_fd(), std::time::Duration::ZERO) {
                    Ok(false) => return true,
                    Ok(true) => {
                        self.entries.clear();
                        return true;
                    }
                    Err(_) => {}
                }
            }
        }
        self.entries.clear();
        // The watch is opened before anything is resolved, so a change during the resolution
        // is reported by the next poll.
        self.watch = sys::open_file_at(
            nix::fcntl::AT_FDCWD,
            "/proc/thread-self/mountinfo",
            OFlag::O_RDONLY,
        )
        .ok()
        .map(|mountinfo| Watch {
            mountinfo,
            namespace,
            pid,
        });
        self.watch.is_some()
    }
}

/// A new context for `base` (`None`: the host's cgroup mount) and `user`.
fn resolve(base: Option<&Path>, user: Option<&str>) -> Result<Context> {
    let layout = match base {
        Some(base) => Layout::at(base)?,
        None => Layout::discover()?,
    };
    Context::new(layout, user)
}

impl Context {
    /// The process-wide context for `base` (`None`: the host's cgroup mount) and `user`
    /// (`None` or `"current"`: the effective user), resolved on first use and kept for later
    /// calls while the mount table, the mount namespace and the process stay the same (checked
    /// on each call with one `poll`, one `statx` and `getpid`). At most four are kept.
    ///
    /// Fails like [`Layout::at`] (or [`Layout::discover`]) and [`Context::new`].
    pub fn cached(base: Option<&Path>, user: Option<&str>) -> Result<Arc<Context>> {
        let key = match user {
            None | Some(crate::user::CURRENT) => {
                UserKey::Effective(nix::unistd::geteuid().as_raw())
            }
            Some(name) => UserKey::Named(name.to_string()),
        };
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        if !cache.revalidate() {
            return Ok(Arc::new(resolve(base, user)?));
        }
        let found = cache
            .entries
            .iter()
            .position(|e| e.base.as_deref() == base && e.user == key);
        if let Some(index) = found {
            let entry = cache.entries.remove(index);
            let context = Arc::clone(&entry.context);
            cache.entries.push(entry);
            return Ok(context);
        }
        let context = Arc::new(resolve(base, user)?);
        if cache.entries.len() >= MAX_ENTRIES {
            cache.entries.remove(0);
        }
        cache.entries.push(Entry {
            base: base.map(Path::to_path_buf),
            user: key,
            context: Arc::clone(&context),
        });
        Ok(context)
    }

    /// Drops `context` from the cache (a later call resolves its base and user again).
    fn forget_cached(context: &Arc<Context>) {
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        cache.entries.retain(|e| !Arc::ptr_eq(&e.context, context));
    }
}

impl Cgroup {
    /// Opens the group `name` of `user` (`None` or `"current"`: the effective user) on `base`
    /// (`None`: the host's cgroup mount) in one call, through [`Context::cached`]: after the
    /// first call for a base and user, this costs what [`Context::open`] costs. What the C
    /// API's `cgroups_open` and `cgroups_open_at` do.
    ///
    /// A cached context whose base or user directory was removed meanwhile is replaced and the
    /// open tried once more. Fails like [`Context::cached`] and [`Context::open`].
    pub fn open_at(
        base: Option<&Path>,
        name: &str,
        selection: Selection,
        user: Option<&str>,
    ) -> Result<Cgroup> {
        let context = Context::cached(base, user)?;
        match context.open(name, selection) {
            Err(Error::NotFound { .. } | Error::NotMounted { .. }) => {
                Context::forget_cached(&context);
                Context::cached(base, user)?.open(name, selection)
            }
            result => result,
        }
    }
}
