// SPDX-License-Identifier: MIT OR Apache-2.0
//! The calling thread's description of its last failed call.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, CString};

use super::guard::guard_value;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    static LAST_ERRNO: Cell<c_int> = const { Cell::new(0) };
}

/// Records a failure's message and OS error number for this thread.
pub(crate) fn set(message: &str, errno: c_int) {
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
    LAST_ERRNO.with(|last| last.set(errno));
}

/// The detailed message of the calling thread's last failed call — a complete sentence naming
/// the category, the path and the OS error — or "" if none failed yet. Show it as is (joining it
/// to cgroups_strerror() would repeat the category). Valid until the thread's next failing call;
/// do not free. cgroups_attach_self() does not update it (it sets only errno).
#[no_mangle]
pub extern "C" fn cgroups_last_error() -> *const c_char {
    guard_value(c"".as_ptr(), || {
        LAST_ERROR.with(|last| last.borrow().as_ptr())
    })
}

/// The OS error number (errno) behind the calling thread's last failed call, or 0 when the
/// failure had none (an invalid argument, for example).
#[no_mangle]
pub extern "C" fn cgroups_last_errno() -> c_int {
    guard_value(0, || LAST_ERRNO.with(Cell::get))
}
