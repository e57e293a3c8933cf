//! The calling thread's description of its last failed call.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, CString};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    // const-initialised so that setting it allocates nothing (cgroups_attach_self).
    static LAST_ERRNO: Cell<c_int> = const { Cell::new(0) };
}

/// Records a failure's message and OS error number for this thread.
pub(crate) fn set(message: &str, errno: c_int) {
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
    set_errno(errno);
}

/// Records only the OS error number; allocation-free, for async-signal-safe calls.
pub(crate) fn set_errno(errno: c_int) {
    LAST_ERRNO.with(|last| last.set(errno));
}

/// The detailed message (with path and OS error) of the calling thread's last failed call, or
/// "" if none failed yet. Valid until the thread's next failing call; do not free.
/// cgroups_attach_self does not update it (it must not allocate); it sets only cgroups_last_errno.
#[no_mangle]
pub extern "C" fn cgroups_last_error() -> *const c_char {
    LAST_ERROR.with(|last| last.borrow().as_ptr())
}

/// The OS error number (errno) behind the calling thread's last failed call, or 0 when the
/// failure had none (an invalid argument, for example).
#[no_mangle]
pub extern "C" fn cgroups_last_errno() -> c_int {
    LAST_ERRNO.with(Cell::get)
}
