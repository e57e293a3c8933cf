// SPDX-License-Identifier: MIT OR Apache-2.0
//! `/proc/<pid>/cgroup`: which group a process is in, per hierarchy.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::lines;

/// One line: a v1 hierarchy (`4:cpu,cpuacct:/a/b`) or the cgroup2 tree (`0::/a/b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership<'a> {
    /// The hierarchy id (`0` for cgroup2).
    pub hierarchy_id: &'a [u8],
    /// The v1 controllers (and `name=...`), comma-separated; empty for cgroup2.
    pub controllers: &'a [u8],
    /// The group, relative to the reader's cgroup namespace root.
    pub path: &'a Path,
}

impl Membership<'_> {
    /// Whether this is the cgroup2 line.
    pub fn is_unified(&self) -> bool {
        self.hierarchy_id == b"0" && self.controllers.is_empty()
    }

    /// Whether this v1 line's hierarchy carries the controller or option `name`.
    pub fn carries(&self, name: &str) -> bool {
        self.controllers
            .split(|&b| b == b',')
            .any(|c| c == name.as_bytes())
    }
}

/// Parses the content of `/proc/<pid>/cgroup`; malformed lines are skipped. A path may contain
/// `:` and bytes that are not UTF-8.
pub fn parse(text: &[u8]) -> Vec<Membership<'_>> {
    lines(text)
        .filter_map(|line| {
            let mut fields = line.splitn(3, |&b| b == b':');
            let (hierarchy_id, controllers, path) =
                (fields.next()?, fields.next()?, fields.next()?);
            path.starts_with(b"/").then(|| Membership {
                hierarchy_id,
                controllers,
                path: Path::new(OsStr::from_bytes(path)),
            })
        })
        .collect()
}

/// Whether `path` is `group` or lies below it (component-wise: `/a/bc` is not below `/a/b`).
pub fn is_within(path: &Path, group: &Path) -> bool {
    path.starts_with(group)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &[u8] =
        b"12:cpu,cpuacct:/user/job\n4:memory:/other:x\n1:name=systemd:/init.scope\n0::/u/\xff\n";

    #[test]
    fn v1_lines_carry_controllers_and_the_v2_line_none() {
        let lines = parse(TEXT);
        assert_eq!(lines.len(), 4);
        assert!(lines[0].carries("cpu") && lines[0].carries("cpuacct"));
        assert!(!lines[0].carries("cpu,cpuacct"));
        assert_eq!(lines[1].path, Path::new("/other:x"), "a path may hold ':'");
        assert!(lines[2].carries("name=systemd"));
        assert!(lines[3].is_unified() && !lines[0].is_unified());
        assert_eq!(lines[3].path.as_os_str().as_bytes(), b"/u/\xff");
    }

    #[test]
    fn truncated_lines_are_skipped() {
        assert!(parse(b"12:cpu\n0:").is_empty());
        assert!(parse(b"").is_empty());
    }

    #[test]
    fn membership_includes_descendants_but_not_siblings_with_a_common_prefix() {
        let within = |p: &str, g: &str| is_within(Path::new(p), Path::new(g));
        assert!(within("/u/job", "/u/job"));
        assert!(within("/u/job/sub", "/u/job"));
        assert!(!within("/u/job2", "/u/job"));
        assert!(within("/u/job", "/"));
        assert!(within("/", "/"));
    }
}
