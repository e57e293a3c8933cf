//! The context handle: a layout and a user resolved once, for opening many groups cheaply.

use std::ffi::{c_char, c_int};

use super::args::{optional_str, required_ref, required_str, take_box, Out};
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
        let layout = match base {
            Some(base) => Layout::at(base)?,
            None => Layout::discover()?,
        };
        let context = Context::new(layout, user)?;
        out.write(Box::into_raw(Box::new(cgroups_context(context))));
        Ok(())
    })
}

/// Frees a context. Handles opened through it stay valid. Calling with NULL is fine.
/// Must not be called twice with the same context.
#[no_mangle]
pub extern "C" fn cgroups_context_free(ctx: *mut cgroups_context) {
    let _ = std::panic::catch_unwind(|| drop(take_box(ctx)));
}

/// Like cgroups_open(), in the context's base and user subtree.
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
        out.write(cgroups_cgroup::boxed(group));
        Ok(())
    })
}
