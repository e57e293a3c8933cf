// SPDX-License-Identifier: MIT OR Apache-2.0
//! systemd hosts: ask the service manager for a transient scope with `Delegate=yes`, as
//! `systemd-run --scope -p Delegate=yes` (and runc, crun, podman) do, so that a process gets a
//! cgroup of its own that systemd knows about and leaves to it.
//!
//! The client speaks D-Bus through libdbus (the `dbus` crate), behind the cargo feature
//! `systemd`. The manager's `StartTransientUnit` returns as soon as the start job is queued,
//! before the cgroup exists, so the client subscribes to `JobRemoved` before the call and waits
//! for its job's signal (bounded), then reads the scope's `ControlGroup` property.
//!
//! The scope is created with `CollectMode=inactive-or-failed`: the manager forgets it once it
//! stops, whether it failed or not, so neither a failed start nor a finished scope is left
//! behind. The scope stops when its last process exits.

mod bus;
mod error;
mod unit_name;

use std::fmt;
use std::path::Path;
use std::time::Duration;

pub use error::ScopeError;

/// How long the start job of a scope may take. Starting a scope only moves processes, which
/// takes milliseconds; the bound is for a manager that is stuck.
const JOB_TIMEOUT: Duration = Duration::from_secs(30);

/// Which service manager to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    /// The system manager (PID 1). Needs root, or polkit's consent on the system bus.
    System,
    /// The calling user's manager (`user@UID.service`).
    User,
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Manager::System => "system manager",
            Manager::User => "user manager",
        })
    }
}

/// What to ask for: a scope holding one process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScopeRequest<'a> {
    /// The unit name, `NAME.scope`; `None` generates a unique `cgroups-<pid>-<random>.scope`.
    pub unit: Option<&'a str>,
    /// The slice to put the scope in (`NAME.slice`); `None` is the manager's default
    /// (`system.slice`, or `app.slice` in a user manager).
    pub slice: Option<&'a str>,
    /// The process to move into the scope; 0 is the caller.
    pub pid: u32,
    /// The manager to ask.
    pub manager: Manager,
}

/// A started scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Its unit name.
    pub unit: String,
    /// Its cgroup as `/proc/<pid>/cgroup` names it, e.g. `/system.slice/x.scope`.
    pub cgroup: String,
}

/// Starts a transient scope with `Delegate=yes` holding `request.pid`, waits until its start job
/// is done, and returns the scope's unit name and cgroup.
///
/// Names are checked before any bus traffic ([`ScopeError::InvalidArgument`]). A host whose PID 1
/// is not systemd, or whose manager cannot be reached, gives [`ScopeError::Unsupported`] and the
/// process is not moved. A refusal ([`ScopeError::Permission`]), a dead process
/// ([`ScopeError::NoSuchProcess`]) and any other error of the manager ([`ScopeError::Manager`],
/// e.g. a unit name already taken) carry the manager's D-Bus error name and message.
///
/// The delegated controllers are whatever the manager enabled for the scope's slice: read the
/// scope's `cgroup.controllers` rather than assuming a set.
pub fn start_scope(request: &ScopeRequest) -> Result<Scope, ScopeError> {
    if let Some(unit) = request.unit {
        unit_name::check_scope_name(unit)?;
    }
    if let Some(slice) = request.slice {
        unit_name::check_slice_name(slice)?;
    }
    let pid = match request.pid {
        0 => std::process::id(),
        pid if i32::try_from(pid).is_err() => {
            return Err(ScopeError::InvalidArgument(format!(
                "pid {pid} is out of range"
            )))
        }
        pid => pid,
    };
    if !booted_with_systemd() {
        return Err(ScopeError::Unsupported(
            "PID 1 is not systemd (no /run/systemd/system): there is no service manager to \
             ask for a scope"
                .into(),
        ));
    }
    let unit = match request.unit {
        Some(unit) => unit.to_owned(),
        None => unit_name::generated_scope_name(pid)?,
    };
    let connection = bus::Connection::open(request.manager)?;
    connection.watch_jobs()?;
    let job = connection.start_transient_scope(&unit, request.slice, pid)?;
    connection.wait_for_job(&job, &unit, JOB_TIMEOUT)?;
    let cgroup = connection.control_group(&unit, pid)?;
    Ok(Scope { unit, cgroup })
}

/// Whether PID 1 is systemd, tested as `sd_booted()` does.
fn booted_with_systemd() -> bool {
    Path::new("/run/systemd/system").is_dir()
}
