// SPDX-License-Identifier: MIT OR Apache-2.0
//! The panic boundary: every exported body runs inside one of these, so a panic becomes
//! `CGROUPS_E_INTERNAL` (or a harmless default for calls without a status) and never unwinds
//! into C. Recording the last error happens inside the boundary too.

use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::last_error;
use super::status::cgroups_status;
use crate::error::Error;

const PANIC_MESSAGE: &str = "internal error: the library panicked; please report this";

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
            message: format!("null argument: {argument} is NULL"),
            errno: 0,
        }
    }

    /// A malformed argument that the Rust API could not even be called with.
    pub fn invalid(detail: String) -> Failure {
        Failure::from(Error::InvalidArgument(detail))
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
    let outcome = catch_unwind(AssertUnwindSafe(|| match body() {
        Ok(()) => cgroups_status::CGROUPS_OK as c_int,
        Err(failure) => {
            last_error::set(&failure.message, failure.errno);
            failure.status as c_int
        }
    }));
    outcome.unwrap_or_else(|_| {
        let _ = catch_unwind(|| last_error::set(PANIC_MESSAGE, 0));
        cgroups_status::CGROUPS_E_INTERNAL as c_int
    })
}

/// Runs `body` for a call that returns a value rather than a status; a panic gives `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
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
        assert_eq!(guard_value(7, || panic!("boom")), 7);
    }

    #[test]
    fn a_failure_sets_the_message_and_errno_and_success_returns_ok() {
        let status = guard(|| Err(Error::no_such_process(42).into()));
        assert_eq!(status, cgroups_status::CGROUPS_E_NO_SUCH_PROCESS as c_int);
        assert_eq!(last_error::cgroups_last_errno(), libc::ESRCH);
        assert_eq!(guard(|| Ok(())), 0);
    }

    #[test]
    fn messages_name_their_category_once() {
        let failure = Failure::invalid("unit 9 is not a cgroups_unit".into());
        assert_eq!(
            failure.message,
            "invalid argument: unit 9 is not a cgroups_unit"
        );
        assert!(Failure::null("out").message.starts_with("null argument: "));
    }
}
