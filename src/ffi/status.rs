// SPDX-License-Identifier: MIT OR Apache-2.0
//! Status codes returned (as `int`) by every C function, and their messages.

use std::ffi::{c_char, c_int, CStr};

use super::guard::guard_value;
use crate::error::{ErrnoKind, Error};

/// Result of a call. Values are fixed and never reused; a retired value stays listed as retired.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum cgroups_status {
    /// Success.
    CGROUPS_OK = 0,
    /// A required pointer argument was NULL.
    CGROUPS_E_NULL_ARGUMENT = 1,
    /// An argument is malformed or out of range (name, percentage, size, unit, pid, controllers).
    CGROUPS_E_INVALID_ARGUMENT = 2,
    /// No cgroup filesystem at the base (or none mounted).
    CGROUPS_E_NOT_MOUNTED = 3,
    /// The host, or the handle, lacks a requested controller.
    CGROUPS_E_CONTROLLER_UNAVAILABLE = 4,
    /// The kernel refused for lack of privilege.
    CGROUPS_E_PERMISSION = 5,
    /// The process does not exist.
    CGROUPS_E_NO_SUCH_PROCESS = 6,
    /// The user has no passwd entry.
    CGROUPS_E_NO_SUCH_USER = 7,
    /// The group does not exist (deleted, possibly by someone else).
    CGROUPS_E_NOT_FOUND = 8,
    /// Busy: limit below usage (v1 memory), child groups, or processes where v2 forbids them.
    CGROUPS_E_BUSY = 9,
    /// The running kernel lacks the interface.
    CGROUPS_E_UNSUPPORTED = 10,
    /// Another operating-system error; see cgroups_last_errno().
    CGROUPS_E_OS = 11,
    /// A bug in the library (a caught panic); please report it.
    CGROUPS_E_INTERNAL = 12,
    /// A bounded wait ended first: the group did not freeze, thaw or empty in time.
    CGROUPS_E_TIMED_OUT = 13,
}

impl From<&Error> for cgroups_status {
    fn from(err: &Error) -> cgroups_status {
        use cgroups_status::*;
        match err {
            Error::InvalidArgument(_) => CGROUPS_E_INVALID_ARGUMENT,
            Error::NotMounted { .. } => CGROUPS_E_NOT_MOUNTED,
            Error::ControllerUnavailable { .. } => CGROUPS_E_CONTROLLER_UNAVAILABLE,
            Error::Permission { .. } => CGROUPS_E_PERMISSION,
            Error::NoSuchProcess { .. } => CGROUPS_E_NO_SUCH_PROCESS,
            Error::NoSuchUser(_) => CGROUPS_E_NO_SUCH_USER,
            Error::NotFound { .. } => CGROUPS_E_NOT_FOUND,
            Error::Busy { .. } => CGROUPS_E_BUSY,
            Error::Unsupported(_) => CGROUPS_E_UNSUPPORTED,
            Error::Os { .. } => CGROUPS_E_OS,
            Error::TimedOut(_) => CGROUPS_E_TIMED_OUT,
        }
    }
}

impl cgroups_status {
    /// The status for an OS error number, for calls that must not allocate (the same categories
    /// as [`Error::from_io`]).
    pub(crate) fn from_errno(errno: i32) -> cgroups_status {
        use cgroups_status::*;
        match ErrnoKind::of(errno) {
            ErrnoKind::NotFound => CGROUPS_E_NOT_FOUND,
            ErrnoKind::Permission => CGROUPS_E_PERMISSION,
            ErrnoKind::Busy => CGROUPS_E_BUSY,
            ErrnoKind::ThreadMode | ErrnoKind::Other => CGROUPS_E_OS,
        }
    }

    fn message(status: c_int) -> &'static CStr {
        use cgroups_status::*;
        const TABLE: [(cgroups_status, &CStr); 14] = [
            (CGROUPS_OK, c"success"),
            (CGROUPS_E_NULL_ARGUMENT, c"a required argument was NULL"),
            (CGROUPS_E_INVALID_ARGUMENT, c"invalid argument"),
            (CGROUPS_E_NOT_MOUNTED, c"no cgroup filesystem mounted there"),
            (
                CGROUPS_E_CONTROLLER_UNAVAILABLE,
                c"controller not available",
            ),
            (CGROUPS_E_PERMISSION, c"permission denied"),
            (CGROUPS_E_NO_SUCH_PROCESS, c"no such process"),
            (CGROUPS_E_NO_SUCH_USER, c"no such user"),
            (CGROUPS_E_NOT_FOUND, c"cgroup not found"),
            (CGROUPS_E_BUSY, c"cgroup busy"),
            (CGROUPS_E_UNSUPPORTED, c"not supported by this kernel"),
            (CGROUPS_E_OS, c"operating system error"),
            (CGROUPS_E_INTERNAL, c"internal error in libcgroups"),
            (CGROUPS_E_TIMED_OUT, c"timed out"),
        ];
        TABLE
            .iter()
            .find(|(s, _)| *s as c_int == status)
            .map_or(c"unknown status", |(_, message)| message)
    }
}

/// A short static description of a status; any int is accepted ("unknown status" for values
/// that are not statuses). Never NULL; do not free.
#[no_mangle]
pub extern "C" fn cgroups_strerror(status: c_int) -> *const c_char {
    guard_value(c"unknown status".as_ptr(), || {
        cgroups_status::message(status).as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_message_and_unknown_ones_do_not_crash() {
        let messages: Vec<&CStr> = (0..=13).map(cgroups_status::message).collect();
        for (i, m) in messages.iter().enumerate() {
            assert_ne!(*m, c"unknown status", "status {i}");
            assert!(!messages[..i].contains(m), "status {i} repeats a message");
        }
        for odd in [-1, 14, c_int::MAX, c_int::MIN] {
            assert_eq!(cgroups_status::message(odd), c"unknown status");
        }
    }
}
