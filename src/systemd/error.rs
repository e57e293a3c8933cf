// SPDX-License-Identifier: MIT OR Apache-2.0
//! What can go wrong when asking systemd for a scope.

/// Why [`start_scope`](super::start_scope) failed. Bus errors keep the manager's D-Bus error name
/// and message, so that the caller can show exactly what systemd said.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    /// A bad unit or slice name, or a pid out of range; found before any bus traffic.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// PID 1 is not systemd, or the manager cannot be reached.
    #[error("unsupported: {0}")]
    Unsupported(String),

    /// The manager refused the caller (access denied, interactive authorization required).
    #[error("permission denied by the service manager: {message} ({name})")]
    Permission {
        /// The D-Bus error name, e.g. `org.freedesktop.DBus.Error.AccessDenied`.
        name: String,
        /// The manager's message.
        message: String,
    },

    /// The process to move does not exist (or exited before the manager could move it).
    #[error("no such process: {pid}: {reason}")]
    NoSuchProcess {
        /// The process that was to be moved.
        pid: u32,
        /// What the manager said (its message and D-Bus error name), or what was found.
        reason: String,
    },

    /// Any other error the manager returned, e.g. `org.freedesktop.systemd1.UnitExists`.
    #[error("the service manager failed: {message} ({name})")]
    Manager {
        /// The D-Bus error name.
        name: String,
        /// The manager's message.
        message: String,
    },

    /// The manager accepted the request, but the job that starts the scope did not succeed.
    #[error("starting {unit} failed: its job finished with result \"{result}\"")]
    JobFailed {
        /// The scope's unit name.
        unit: String,
        /// The job's result as systemd reports it: `failed`, `canceled`, `timeout`, `dependency`…
        result: String,
    },

    /// The job that starts the scope did not finish in time; it was canceled.
    #[error("starting {unit} timed out after {seconds} s; its job was canceled")]
    TimedOut {
        /// The scope's unit name.
        unit: String,
        /// How long the job was waited for.
        seconds: u64,
    },
}
