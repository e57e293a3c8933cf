//! The context handle: a layout and a user resolved once, for opening many groups cheaply.

use std::ffi::{c_char, c_int};

use super::args::{into_c, optional_str, required_ref, required_str, take_box, Out};
use super::cgroup::{cgroups_cgroup, selection};
use super::guard::guard;
use crate::context::Context;
use crate::mounts::Layout;

/// A base and a user, resolved once: opening groups through it reads neither
/// /proc/self/mountinfo nor the passwd database again. Immutable: it may be used from several
/// threads at once. Free it with cgroups_context_free().
#[allow(non_camel_case_types)]
pub struct cgroups_context(Context);

/// Resolves `base` (NULL: the host's cgroup mount; otherwise as for cgroups_open_at()) and
/// `user` (NULL or "current": the effective user) once, and stores a new context in `*out`.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_context_new(
    base: *const c_char,
    user: *const c_char,
    out: *mut *mut cgroups_context,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        let base = optional_str(base, "base")?;
        let user = optional_str(user, "user")?;
        let context = Context::new(layout_at(base)?, user)?;
        out.write(into_c(cgroups_context(context)));
        Ok(())
    })
}

/// A context at the cgroups the calling process lives in (from /proc/self/cgroup), on `base`
/// (NULL: the host's cgroup mount): groups opened through it go directly below the caller's
/// cgroup, with no user directory. For a service started with systemd's Delegate=yes, or a
/// container with its own cgroup namespace. On cgroup v2 the processes of the caller's cgroup
/// (the caller included) are moved into its leaf "cgroups.user" first, as the
/// no-internal-process rule requires. CGROUPS_E_UNSUPPORTED when the caller lives in a root
/// cgroup; CGROUPS_E_PERMISSION when its cgroup was not delegated to it.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_context_new_self(
    base: *const c_char,
    out: *mut *mut cgroups_context,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        let context = Context::own_cgroup(&layout_at(optional_str(base, "base")?)?)?;
        out.write(into_c(cgroups_context(context)));
        Ok(())
    })
}

/// The layout at `base`, or at the host's cgroup mount.
pub(crate) fn layout_at(base: Option<&str>) -> crate::Result<Layout> {
    match base {
        Some(base) => Layout::at(base),
        None => Layout::discover(),
    }
}

/// Frees a context. Handles opened through it stay valid. Calling with NULL is fine.
/// Must not be called twice with the same context.
#[no_mangle]
pub extern "C" fn cgroups_context_free(ctx: *mut cgroups_context) {
    let _ = std::panic::catch_unwind(|| drop(take_box(ctx)));
}

/// Like cgroups_open(), in the context's base and user subtree.
#[must_use]
#[no_mangle]
pub extern "C" fn cgroups_context_open(
    ctx: *const cgroups_context,
    name: *const c_char,
    controllers: u32,
    out: *mut *mut cgroups_cgroup,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        let context = required_ref(ctx, "ctx")?;
        let name = required_str(name, "name")?;
        let group = context.0.open(name, selection(controllers)?)?;
        out.write(into_c(cgroups_cgroup(group)));
        Ok(())
    })
}
