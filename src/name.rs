// SPDX-License-Identifier: MIT OR Apache-2.0
//! Validation of group names and user names before they become path components.
//!
//! A group name is one or more `/`-separated components. Each component must be a plain directory
//! name that cannot escape the user's subtree and cannot be mistaken for a cgroup interface file.

use crate::error::{Error, Result};

/// Longest component the kernel accepts (NAME_MAX).
const MAX_COMPONENT_BYTES: usize = 255;

/// Reserved name of the v2 leaf that holds a user's processes outside any group (the no-internal-
/// process rule forbids keeping them in the user's directory itself).
pub const USER_LEAF: &str = "cgroups.user";

/// Prefixes (before the first `.`) used by kernel interface files, on v1 and v2.
const INTERFACE_PREFIXES: &[&str] = &[
    "cgroup",
    "cgroups",
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "io",
    "blkio",
    "pids",
    "freezer",
    "devices",
    "net_cls",
    "net_prio",
    "perf_event",
    "hugetlb",
    "rdma",
    "misc",
    "irq",
    "dmem",
    "debug",
];

/// Interface files of v1 whose names have no dot.
const INTERFACE_FILES: &[&str] = &["tasks", "notify_on_release", "release_agent"];

/// Checks a group name (`a` or `a/b/c`) and returns its components.
///
/// Fails with [`Error::InvalidArgument`] for an empty, absolute or traversing name, a component
/// that is empty, `.`, `..`, longer than 255 bytes, contains NUL or a newline, or equals a kernel
/// interface file or a `<controller>.<file>` pattern.
pub fn group_components(name: &str) -> Result<Vec<&str>> {
    if name.is_empty() {
        return Err(Error::InvalidArgument("group name is empty".into()));
    }
    if name.starts_with('/') {
        return Err(Error::InvalidArgument(format!(
            "group name {name:?} must be relative to the user's subtree"
        )));
    }
    name.split('/')
        .map(|component| check_component(name, component))
        .collect()
}

/// Checks a user name (from the caller, or from the passwd database) for use as the directory
/// of the user's subtree.
///
/// Fails with [`Error::InvalidArgument`] under the same rules as a group name component, and for
/// any `/`.
pub fn check_user_name(user: &str) -> Result<()> {
    if user.contains('/') {
        return Err(Error::InvalidArgument(format!(
            "user name {user:?} contains '/'"
        )));
    }
    check_component(user, user).map(|_| ())
}

fn check_component<'a>(name: &str, component: &'a str) -> Result<&'a str> {
    let invalid = |why: &str| Err(Error::InvalidArgument(format!("name {name:?}: {why}")));
    if component.is_empty() {
        return invalid("has an empty component");
    }
    if component == "." || component == ".." {
        return invalid("'.' and '..' are not allowed");
    }
    if component.len() > MAX_COMPONENT_BYTES {
        return invalid("a component is longer than 255 bytes");
    }
    if component.contains('\0') || component.contains('\n') {
        return invalid("contains NUL or a newline");
    }
    if INTERFACE_FILES.contains(&component) {
        return invalid("equals a cgroup interface file");
    }
    if let Some((prefix, _)) = component.split_once('.') {
        if INTERFACE_PREFIXES.contains(&prefix) {
            return invalid(
                "looks like a cgroup interface file (<controller>.<file>) or is reserved",
            );
        }
    }
    Ok(component)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_nested_names_are_split_into_components() {
        assert_eq!(group_components("charlie").unwrap(), vec!["charlie"]);
        assert_eq!(
            group_components("jobs/42/build").unwrap(),
            vec!["jobs", "42", "build"]
        );
        assert_eq!(group_components("my.job-1_x").unwrap(), vec!["my.job-1_x"]);
    }

    #[test]
    fn traversal_absolute_and_empty_names_are_refused() {
        for bad in ["", "/abs", "a/../../b", "..", ".", "a//b", "a/", "a/./b"] {
            assert!(
                matches!(group_components(bad), Err(Error::InvalidArgument(_))),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn control_characters_and_long_components_are_refused() {
        let long = "x".repeat(256);
        for bad in ["a\nb", "a\0b", long.as_str()] {
            assert!(group_components(bad).is_err(), "{bad:?} accepted");
        }
        assert!(group_components(&"x".repeat(255)).is_ok());
    }

    #[test]
    fn interface_file_names_and_the_reserved_leaf_are_refused() {
        for bad in [
            "tasks",
            "cgroup.procs",
            "notify_on_release",
            "cpu.max",
            "memory.foo",
            "a/cpu.shares",
            "irq.pressure",
            "dmem.max",
            "debug.stat",
            "misc.max",
            "rdma.current",
            USER_LEAF,
        ] {
            assert!(group_components(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn user_names_follow_the_component_rules() {
        assert!(check_user_name("alice").is_ok());
        assert!(check_user_name("1000").is_ok());
        for bad in ["", "a/b", "..", "tasks", "../../tmp/x", "cgroup.procs"] {
            assert!(check_user_name(bad).is_err(), "{bad:?} accepted");
        }
    }
}
