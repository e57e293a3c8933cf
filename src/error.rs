// SPDX-License-Identifier: MIT OR Apache-2.0
//! The error type of the Rust API: one variant per failure category, carrying the path and the OS
//! error where there is one. The C layer maps each variant to one `cgroups_status` value.
//!
//! Every message stands on its own: it names its category, the path and the reason, so that it
//! can be shown alone (the C layer's `cgroups_last_error()` is this text).

use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in this library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument is out of range or malformed (a bad name, percentage, size, unit or pid).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The base path is not a cgroup filesystem, or no cgroup filesystem is mounted there.
    #[error("no cgroup filesystem at {path}: {reason}")]
    NotMounted {
        /// The path that was expected to be (or hold) a cgroup mount.
        path: PathBuf,
        /// Why it is not usable.
        reason: String,
    },

    /// A controller was asked for that the host (or the opened group) does not offer.
    #[error("controller {controller} is not available: {reason}")]
    ControllerUnavailable {
        /// The controller's name (`cpu`, `memory`, ...).
        controller: &'static str,
        /// Why it is not available.
        reason: String,
    },

    /// The kernel, or the library's ownership rules, refused for lack of privilege.
    #[error("permission denied: {action} {path}: {source}{hint}")]
    Permission {
        /// What was attempted ("create", "move a process into", ...).
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The OS error (EACCES or EPERM).
        source: io::Error,
        /// What the caller can do about it, starting with a space, or empty.
        hint: String,
    },

    /// The process does not exist (or exited, or is a zombie).
    #[error("no such process: {pid}{detail}")]
    NoSuchProcess {
        /// The process id.
        pid: i32,
        /// More about it (what the service manager said), starting with a space, or empty.
        detail: String,
    },

    /// The user name or uid is not known.
    #[error("no such user: {0}")]
    NoSuchUser(String),

    /// The group (or a file of it) does not exist: it was never created or was deleted.
    #[error("cgroup not found: {path}")]
    NotFound {
        /// The group's directory, or the missing path.
        path: PathBuf,
    },

    /// The kernel reported the resource busy: a limit below current usage (v1 memory), a group that
    /// still has child groups or processes, or the v2 no-internal-process rule.
    #[error("busy: {path}: {reason}")]
    Busy {
        /// The group or file concerned.
        path: PathBuf,
        /// Why, and what to do.
        reason: String,
    },

    /// The running kernel or layout lacks the interface; the message names what is missing.
    #[error("unsupported: {0}")]
    Unsupported(String),

    /// A bounded wait ended before the kernel reported the state waited for (a group frozen,
    /// thawed or empty); the message names the group and the state.
    #[error("timed out: {0}")]
    TimedOut(String),

    /// Any other operating-system error, with the operation and the path it concerned.
    #[error("{action} {path}: {source}{hint}")]
    Os {
        /// What was attempted.
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
        /// An explanation, starting with a space, or empty.
        hint: String,
    },
}

/// What an OS error number means to a caller of this library: the one mapping from errno
/// values to categories (the allocation-free C path uses it too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrnoKind {
    /// ENOENT, or ENODEV from a file of a group removed meanwhile.
    NotFound,
    /// EACCES or EPERM.
    Permission,
    /// EBUSY.
    Busy,
    /// EOPNOTSUPP: cgroup v2 thread mode.
    ThreadMode,
    /// Anything else.
    Other,
}

impl ErrnoKind {
    /// The category of `errno`.
    pub(crate) const fn of(errno: i32) -> ErrnoKind {
        match errno {
            libc::ENOENT | libc::ENODEV => ErrnoKind::NotFound,
            libc::EACCES | libc::EPERM => ErrnoKind::Permission,
            libc::EBUSY => ErrnoKind::Busy,
            libc::EOPNOTSUPP => ErrnoKind::ThreadMode,
            _ => ErrnoKind::Other,
        }
    }
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
    /// This is the one place where errno values become categories: ENOENT and ENODEV (a file of
    /// a group removed meanwhile) are "not found", EACCES/EPERM "permission", EBUSY "busy", and
    /// EOPNOTSUPP is explained (cgroup v2 thread mode).
    pub(crate) fn from_io(
        action: &'static str,
        path: impl AsRef<Path>,
        source: io::Error,
    ) -> Error {
        let path = path.as_ref().to_path_buf();
        let kind = source
            .raw_os_error()
            .map_or(ErrnoKind::Other, ErrnoKind::of);
        match kind {
            ErrnoKind::NotFound => Error::NotFound { path },
            ErrnoKind::Permission => Error::Permission {
                action,
                path,
                source,
                hint: String::new(),
            },
            ErrnoKind::Busy => Error::Busy {
                path,
                reason: format!("{action}: {source}"),
            },
            ErrnoKind::ThreadMode => Error::Os {
                action,
                path,
                source,
                hint: " (the group is in cgroup v2 thread mode or its type is \"domain invalid\": \
                       a threaded group takes threads, not processes, and cannot hold domain \
                       controllers; see cgroup.type)"
                    .into(),
            },
            ErrnoKind::Other => Error::Os {
                action,
                path,
                source,
                hint: String::new(),
            },
        }
    }

    /// The process `pid` does not exist (any more).
    pub(crate) fn no_such_process(pid: i32) -> Error {
        Error::NoSuchProcess {
            pid,
            detail: String::new(),
        }
    }

    /// The same error with `hint` appended to a permission refusal (other categories unchanged).
    pub(crate) fn with_permission_hint(self, extra: &str) -> Error {
        match self {
            Error::Permission {
                action,
                path,
                source,
                hint,
            } => Error::Permission {
                action,
                path,
                source,
                hint: hint + extra,
            },
            other => other,
        }
    }
}

/// Result type of the Rust API.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_a_group_removed_meanwhile_is_not_found() {
        for errno in [libc::ENOENT, libc::ENODEV] {
            let err = Error::from_io("read", "/x", io::Error::from_raw_os_error(errno));
            assert!(matches!(err, Error::NotFound { .. }), "{errno}: {err}");
        }
    }

    #[test]
    fn each_category_names_itself_once() {
        let err = Error::InvalidArgument("name \"..\" is not allowed".into());
        assert_eq!(
            err.to_string().matches("invalid argument").count(),
            1,
            "{err}"
        );
        let err = Error::from_io("write", "/g/x", io::Error::from_raw_os_error(libc::EACCES));
        assert!(err.to_string().starts_with("permission denied: write /g/x"));
        assert_eq!(err.os_errno(), libc::EACCES);
    }

    #[test]
    fn thread_mode_refusals_are_explained() {
        let err = Error::from_io(
            "write",
            "/g",
            io::Error::from_raw_os_error(libc::EOPNOTSUPP),
        );
        assert!(err.to_string().contains("thread mode"), "{err}");
    }
}
