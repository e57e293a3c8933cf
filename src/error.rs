//! The error type of the Rust API: one variant per failure category, carrying the path and the OS
//! error where there is one. The C layer maps each variant to one `cgroups_status` value.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in this library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument is out of range or malformed (a bad name, percentage, size, unit or pid).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The base path is not a cgroup filesystem, or no cgroup filesystem is mounted.
    #[error("no cgroup filesystem at {path}: {reason}")]
    NotMounted { path: PathBuf, reason: String },

    /// A controller was asked for that the host (or the opened group) does not offer.
    #[error("controller {controller} is not available: {reason}")]
    ControllerUnavailable {
        controller: &'static str,
        reason: String,
    },

    /// The kernel refused an operation for lack of privilege (EACCES/EPERM).
    #[error("permission denied: {action} {path}: {source}{hint}")]
    Permission {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
        hint: String,
    },

    /// The process does not exist (or exited while being moved).
    #[error("no such process: {pid}")]
    NoSuchProcess { pid: i32 },

    /// The user name has no passwd entry.
    #[error("no such user: {0}")]
    NoSuchUser(String),

    /// The group (or a file of it) does not exist: it was never created or was deleted.
    #[error("cgroup not found: {path}")]
    NotFound { path: PathBuf },

    /// The kernel reported the resource busy: a limit below current usage (v1 memory), a group that
    /// still has child groups or processes, or the v2 no-internal-process rule.
    #[error("busy: {path}: {reason}")]
    Busy { path: PathBuf, reason: String },

    /// The running kernel lacks the interface (for example a controller file that does not exist).
    #[error("unsupported by this kernel: {0}")]
    Unsupported(String),

    /// Any other operating-system error, with the operation and the path it concerned.
    #[error("{action} {path}: {source}")]
    Os {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl Error {
    /// The OS error number behind this error, or 0 where there is none.
    pub fn os_errno(&self) -> i32 {
        match self {
            Error::Permission { source, .. } | Error::Os { source, .. } => {
                source.raw_os_error().unwrap_or(0)
            }
            Error::NoSuchProcess { .. } => libc::ESRCH,
            Error::NotFound { .. } => libc::ENOENT,
            Error::Busy { .. } => libc::EBUSY,
            _ => 0,
        }
    }

    /// Classifies an OS error from `action` on `path` into the category the caller can act on.
    pub(crate) fn from_io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: io::Error,
    ) -> Error {
        let path = path.into();
        match source.raw_os_error() {
            Some(libc::ENOENT) => Error::NotFound { path },
            Some(libc::EACCES) | Some(libc::EPERM) => Error::Permission {
                action,
                path,
                source,
                hint: String::new(),
            },
            Some(libc::EBUSY) => Error::Busy {
                path,
                reason: format!("{action}: {source}"),
            },
            _ => Error::Os {
                action,
                path,
                source,
            },
        }
    }
}

/// Result type of the Rust API.
pub type Result<T> = std::result::Result<T, Error>;
