//! A context: a layout and a user, resolved once, from which many groups are opened without
//! re-reading `/proc/self/mountinfo` or the passwd database.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::cgroup::{Cgroup, Selection};
use crate::controller::Controllers;
use crate::error::Result;
use crate::mounts::Layout;
use crate::user;

/// The layout and the user whose subtree groups are opened in. Share it between threads freely.
#[derive(Debug)]
pub struct Context {
    layout: Layout,
    user: String,
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
            user: user::resolve_user_dir(user)?,
            layout,
            v2_enabled: AtomicU32::new(0),
        })
    }

    /// The layout groups are opened in.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The name of the directory of the user's subtree.
    pub fn user(&self) -> &str {
        &self.user
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
