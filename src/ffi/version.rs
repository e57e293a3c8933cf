// SPDX-License-Identifier: MIT OR Apache-2.0
//! The library's version at run time (the CGROUPS_VERSION_* macros give it at compile time).

use std::ffi::c_char;

use super::guard::guard_value;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The version of the loaded library, "MAJOR.MINOR.PATCH". Static; do not free.
#[no_mangle]
pub extern "C" fn cgroups_version() -> *const c_char {
    guard_value(VERSION.as_ptr().cast(), || VERSION.as_ptr().cast())
}
