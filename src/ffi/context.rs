// SPDX-License-Identifier: MIT OR Apache-2.0
//! The context handle: a layout and a user resolved once, for opening many groups cheaply.

use std::ffi::{c_char, c_int};

use super::args::{into_c, optional_str, required_ref, required_str, take_box, Out};
use super::constants::{CGROUPS_SCOPE_SYSTEM, CGROUPS_SCOPE_USER};
use super::group::{cgroups_cgroup, hand_out, selection};
use super::guard::{guard, guard_value, Failure};
use crate::context::Context;
use crate::layout::Layout;

/// A base and a user, resolved once: opening groups through it reads neither
/// /proc/self/mountinfo nor the passwd database again. Immutable: it may be used from several
/// threads at once. Free it with cgroups_context_free().
#[allow(non_camel_case_types)]
pub struct cgroups_context(Context);

/// The layout at `base`, or at the host's cgroup mount.
pub(crate) fn layout_at(base: Option<&str>) -> crate::Result<Layout> {
    match base {
        Some(base) => Layout::at(base),
        None => Layout::discover(),
    }
}

/// Resolves `base` (NULL: the host's cgroup mount; otherwise as for cgroups_open_at()) and
/// `user` (NULL or "current": the effective user) once, and stores a new context in `*out`.
#[no_mangle]
#[must_use]
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
/// cgroup, with no user directory, and use only the controllers that cgroup offers. For a
/// service started with systemd's Delegate=yes, or a container with its own cgroup namespace.
/// On cgroup v2 the processes of the caller's cgroup (the caller included) are moved into its
/// leaf "cgroups.user" first, as the no-internal-process rule requires. CGROUPS_E_UNSUPPORTED
/// when the caller lives in a root cgroup; CGROUPS_E_PERMISSION when its cgroup was not
/// delegated to it.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_context_new_self(
    base: *const c_char,
    out: *mut *mut cgroups_context,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        let context = Context::new_self(&layout_at(optional_str(base, "base")?)?)?;
        out.write(into_c(cgroups_context(context)));
        Ok(())
    })
}

/// Asks systemd for a transient scope `unit` ("NAME.scope"; NULL: a unique generated name) with
/// Delegate=yes, in `slice` (NULL: the manager's default), holding process `pid` (0: the caller),
/// waits until the manager's job is done, and stores in `*out` a context rooted at the scope's
/// cgroup, as cgroups_context_new_self() would give from inside it: groups are made below the
/// scope, processes removed from them return to it, and only the controllers the scope offers
/// are used. `flags`: CGROUPS_SCOPE_SYSTEM (the system manager), CGROUPS_SCOPE_USER (the
/// caller's user manager), or 0 (SYSTEM for root, USER otherwise).
/// CGROUPS_E_INVALID_ARGUMENT for a bad unit or slice name, unknown flags or a negative pid
/// (before the manager is asked); CGROUPS_E_UNSUPPORTED when PID 1 is not systemd, its bus is
/// unreachable, or the library was built without the systemd feature (nothing is moved);
/// CGROUPS_E_PERMISSION when the manager refuses; CGROUPS_E_NO_SUCH_PROCESS for a dead pid;
/// the manager's error name and message are in cgroups_last_error().
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_context_new_scope(
    unit: *const c_char,
    slice: *const c_char,
    pid: libc::pid_t,
    flags: u32,
    out: *mut *mut cgroups_context,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        let unit = optional_str(unit, "unit")?;
        let slice = optional_str(slice, "slice")?;
        let pid =
            u32::try_from(pid).map_err(|_| Failure::invalid(format!("pid {pid} is negative")))?;
        let context = new_scope(unit, slice, pid, flags)?;
        out.write(into_c(cgroups_context(context)));
        Ok(())
    })
}

#[cfg(feature = "systemd")]
fn new_scope(
    unit: Option<&str>,
    slice: Option<&str>,
    pid: u32,
    flags: u32,
) -> Result<Context, Failure> {
    use crate::{ScopeManager, ScopeOptions};
    let mut options = ScopeOptions::new().pid(pid);
    options = match flags {
        0 => options,
        CGROUPS_SCOPE_SYSTEM => options.manager(ScopeManager::System),
        CGROUPS_SCOPE_USER => options.manager(ScopeManager::User),
        other => {
            return Err(Failure::invalid(format!(
                "flags {other:#x} are not one of CGROUPS_SCOPE_SYSTEM, CGROUPS_SCOPE_USER or 0"
            )))
        }
    };
    if let Some(unit) = unit {
        options = options.unit(unit);
    }
    if let Some(slice) = slice {
        options = options.slice(slice);
    }
    Ok(Context::new_scope(&layout_at(None)?, &options)?)
}

#[cfg(not(feature = "systemd"))]
fn new_scope(
    _unit: Option<&str>,
    _slice: Option<&str>,
    _pid: u32,
    flags: u32,
) -> Result<Context, Failure> {
    if !matches!(flags, 0 | CGROUPS_SCOPE_SYSTEM | CGROUPS_SCOPE_USER) {
        return Err(Failure::invalid(format!(
            "flags {flags:#x} are not one of CGROUPS_SCOPE_SYSTEM, CGROUPS_SCOPE_USER or 0"
        )));
    }
    Err(crate::Error::Unsupported(
        "this libcgroups was built without the systemd feature: it cannot ask systemd for scopes"
            .into(),
    )
    .into())
}

/// Frees a context. Handles opened through it stay valid. Calling with NULL is fine.
/// Must not be called twice with the same context.
#[no_mangle]
pub extern "C" fn cgroups_context_free(ctx: *mut cgroups_context) {
    guard_value((), || drop(take_box(ctx)))
}

/// Like cgroups_open(), in the context's base and user subtree.
#[no_mangle]
#[must_use]
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
        hand_out(out, context.0.open(name, selection(controllers)?)?);
        Ok(())
    })
}
