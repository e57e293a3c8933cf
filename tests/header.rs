// SPDX-License-Identifier: MIT OR Apache-2.0
//! The committed header carries the crate's version (the CGROUPS_VERSION_* macros), and the
//! library reports the same version at run time.

use std::ffi::CStr;

fn macro_value(header: &str, name: &str) -> String {
    header
        .lines()
        .find_map(|line| line.strip_prefix(&format!("#define {name} ")))
        .unwrap_or_else(|| panic!("{name} missing from include/cgroups.h"))
        .trim()
        .to_string()
}

#[test]
fn version_macros_match_cargo_toml() {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/cgroups.h")).unwrap();
    assert_eq!(
        macro_value(&header, "CGROUPS_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        macro_value(&header, "CGROUPS_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        macro_value(&header, "CGROUPS_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
}

#[test]
fn the_runtime_version_is_the_crate_version() {
    // SAFETY: cgroups_version returns a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(cgroups::ffi::version::cgroups_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}
