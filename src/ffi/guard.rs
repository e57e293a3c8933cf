//! The panic boundary: every exported body runs inside `guard`, so a panic becomes
//! `CGROUPS_E_INTERNAL` and never unwinds into C.

use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::last_error;
use super::status::cgroups_status;
use crate::error::Error;

/// A failure of a C call: its status and what to record as the last error.
pub(crate) struct Failure {
    pub status: cgroups_status,
    pub message: String,
    pub errno: c_int,
}

impl Failure {
    /// A NULL where a pointer was required.
    pub fn null(argument: &str) -> Failure {
        Failure {
            status: cgroups_status::CGROUPS_E_NULL_ARGUMENT,
            message: format!("argument {argument} is NULL"),
            errno: 0,
        }
    }

    /// A malformed argument that the Rust API could not even be called with.
    pub fn invalid(message: String) -> Failure {
        Failure {
            status: cgroups_status::CGROUPS_E_INVALID_ARGUMENT,
            message,
            errno: 0,
        }
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        Failure {
            status: cgroups_status::from(&err),
            message: err.to_string(),
            errno: err.os_errno(),
        }
    }
}

/// Runs `body`, records a failure as the thread's last error, and returns the status as int.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> c_int {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return cgroups_status::CGROUPS_OK as c_int,
        Ok(Err(failure)) => failure,
        Err(_) => Failure {
            status: cgroups_status::CGROUPS_E_INTERNAL,
            message: "internal error: the library panicked; please report this".into(),
            errno: 0,
        },
    };
    last_error::set(&failure.message, failure.errno);
    failure.status as c_int
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn a_panic_becomes_the_internal_status_with_a_message() {
        let status = guard(|| panic!("boom"));
        assert_eq!(status, cgroups_status::CGROUPS_E_INTERNAL as c_int);
        // SAFETY: cgroups_last_error returns a NUL-terminated string owned by this thread.
        let message = unsafe { CStr::from_ptr(last_error::cgroups_last_error()) };
        assert!(message.to_str().unwrap().contains("panicked"));
    }

    #[test]
    fn a_failure_sets_the_message_and_errno_and_success_returns_ok() {
        let status = guard(|| Err(Error::NoSuchProcess { pid: 42 }.into()));
        assert_eq!(status, cgroups_status::CGROUPS_E_NO_SUCH_PROCESS as c_int);
        assert_eq!(last_error::cgroups_last_errno(), libc::ESRCH);
        assert_eq!(guard(|| Ok(())), 0);
    }
}
