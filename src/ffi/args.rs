// SPDX-License-Identifier: MIT OR Apache-2.0
//! Checks of C arguments: NULL pointers, strings (UTF-8, no NUL), output parameters, and the
//! hand-over of owned objects.
//!
//! Each helper trusts the C contract that a non-NULL pointer points to a valid object of its
//! type (a NUL-terminated string, a live handle, writable storage).

use std::ffi::{c_char, CStr};

use super::guard::Failure;

/// A required string argument.
pub(crate) fn required_str<'a>(ptr: *const c_char, argument: &str) -> Result<&'a str, Failure> {
    optional_str(ptr, argument)?.ok_or_else(|| Failure::null(argument))
}

/// A string argument where NULL means "the default".
pub(crate) fn optional_str<'a>(
    ptr: *const c_char,
    argument: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller passes a NUL-terminated string that outlives the call.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map(Some)
        .map_err(|_| Failure::invalid(format!("argument {argument} is not valid UTF-8")))
}

/// A required pointer to an object the library handed out or the caller owns.
pub(crate) fn required_ref<'a, T>(ptr: *const T, argument: &str) -> Result<&'a T, Failure> {
    // SAFETY: a non-NULL pointer is a live object of type T for the duration of the call.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(argument))
}

/// A required pointer to an object the library handed out, for a call that changes it.
pub(crate) fn required_mut<'a, T>(ptr: *mut T, argument: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: a non-NULL pointer is a live object of type T, not used elsewhere during the call
    // (C contract).
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(argument))
}

/// Hands ownership of `value` to C as a Box; [`take_box`] takes it back (in the `_free` call).
pub(crate) fn into_c<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back ownership of a boxed object handed to C; NULL gives `None`.
pub(crate) fn take_box<T>(ptr: *mut T) -> Option<Box<T>> {
    // SAFETY: a non-NULL pointer came from Box::into_raw and is given back once (C contract).
    (!ptr.is_null()).then(|| unsafe { Box::from_raw(ptr) })
}

/// An output parameter, checked before any work so that nothing is done for a NULL one.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Checks `ptr` for NULL.
    pub fn new(ptr: *mut T, argument: &str) -> Result<Out<T>, Failure> {
        if ptr.is_null() {
            return Err(Failure::null(argument));
        }
        Ok(Out(ptr))
    }

    /// The checked pointer, for reading a field the caller set (a struct's `size`).
    pub fn as_ptr(&self) -> *mut T {
        self.0
    }

    /// Writes the result; called only on success.
    pub fn write(self, value: T) {
        // SAFETY: checked non-NULL in `new`; the caller provides writable storage for a T.
        unsafe { self.0.write(value) }
    }
}
