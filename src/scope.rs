// SPDX-License-Identifier: MIT OR Apache-2.0
//! systemd hosts: a context at a transient scope with `Delegate=yes` that the service manager
//! makes on request, as `systemd-run --scope -p Delegate=yes`, runc, crun and podman do — the
//! polite way to get a subtree of one's own where systemd owns the cgroup tree, and for a
//! non-root user on cgroup v2 the only way that needs no root at all.

use nix::unistd::geteuid;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::systemd::{self, Manager, ScopeError, ScopeRequest};

/// Which service manager to ask for a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeManager {
    /// The system manager (PID 1): root, or whoever polkit lets.
    System,
    /// The calling user's manager (`user@UID.service`).
    User,
}

/// What scope to ask for; see [`Context::new_scope`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScopeOptions<'a> {
    unit: Option<&'a str>,
    slice: Option<&'a str>,
    pid: u32,
    manager: Option<ScopeManager>,
}

impl<'a> ScopeOptions<'a> {
    /// A scope with a unique generated name, in the manager's default slice, holding the caller,
    /// from the system manager for root and the user's manager otherwise.
    pub fn new() -> ScopeOptions<'a> {
        ScopeOptions::default()
    }

    /// The unit name, `NAME.scope` (no `/`).
    #[must_use]
    pub fn unit(mut self, unit: &'a str) -> ScopeOptions<'a> {
        self.unit = Some(unit);
        self
    }

    /// The slice to put the scope in, `NAME.slice`.
    #[must_use]
    pub fn slice(mut self, slice: &'a str) -> ScopeOptions<'a> {
        self.slice = Some(slice);
        self
    }

    /// The process the scope holds (0: the caller).
    #[must_use]
    pub fn pid(mut self, pid: u32) -> ScopeOptions<'a> {
        self.pid = pid;
        self
    }

    /// The manager to ask.
    #[must_use]
    pub fn manager(mut self, manager: ScopeManager) -> ScopeOptions<'a> {
        self.manager = Some(manager);
        self
    }
}

impl Context {
    /// Asks systemd for a transient scope with `Delegate=yes` holding a process (see
    /// [`ScopeOptions`]), waits until the manager's job is done, and returns a context rooted at
    /// the scope's cgroup — as [`Context::new_self`] would from inside it: groups are made below
    /// the scope, processes removed from them return to it, and only the controllers the scope
    /// offers (its `cgroup.controllers`; systemd decides) are used. On v2 the scope's processes
    /// move into its leaf `cgroups.user`.
    ///
    /// Fails with [`Error::InvalidArgument`] for a unit name without `.scope` or with `/`, or a
    /// bad slice name (before the manager is asked); [`Error::Unsupported`] when PID 1 is not
    /// systemd or its bus cannot be reached (nothing is moved); [`Error::Permission`] when the
    /// manager refuses; [`Error::NoSuchProcess`] for a dead process; [`Error::TimedOut`] when
    /// the manager's job does not finish; and [`Error::Os`] for any other refusal (a name already
    /// taken, ...). The manager's D-Bus error name and message are in the error.
    pub fn new_scope(layout: &Layout, options: &ScopeOptions) -> Result<Context> {
        let manager = match options.manager {
            Some(ScopeManager::System) => Manager::System,
            Some(ScopeManager::User) => Manager::User,
            None if geteuid().is_root() => Manager::System,
            None => Manager::User,
        };
        let request = ScopeRequest {
            unit: options.unit,
            slice: options.slice,
            pid: options.pid,
            manager,
        };
        let scope = systemd::start_scope(&request).map_err(error)?;
        let pid = i32::try_from(options.pid)
            .map_err(|_| Error::InvalidArgument(format!("pid {} is out of range", options.pid)))?;
        Context::at_process_cgroups(layout, pid).map_err(|err| match err {
            Error::NotMounted { path, reason } => Error::NotMounted {
                path,
                reason: format!("{reason} (scope {}, cgroup {})", scope.unit, scope.cgroup),
            },
            other => other,
        })
    }
}

/// The library's category for what the manager said.
fn error(err: ScopeError) -> Error {
    let text = err.to_string();
    match err {
        ScopeError::InvalidArgument(detail) => Error::InvalidArgument(detail),
        ScopeError::Unsupported(detail) => Error::Unsupported(detail),
        ScopeError::Permission { .. } => Error::Permission {
            action: "start a transient scope",
            path: "(the service manager)".into(),
            source: std::io::Error::from_raw_os_error(libc::EACCES),
            hint: format!(" ({text})"),
        },
        ScopeError::NoSuchProcess { pid, reason } => Error::NoSuchProcess {
            pid: i32::try_from(pid).unwrap_or(i32::MAX),
            detail: format!(" ({reason})"),
        },
        ScopeError::TimedOut { .. } => Error::TimedOut(text),
        ScopeError::Manager { .. } | ScopeError::JobFailed { .. } => Error::Os {
            action: "start a transient scope",
            path: "(the service manager)".into(),
            source: std::io::Error::from_raw_os_error(libc::EIO),
            hint: format!(" ({text})"),
        },
    }
}
