//! Parsing of `/proc/<pid>/cgroup`: which group a process is in, per hierarchy.

use crate::controller::Controllers;
use crate::mounts::{Hierarchy, Version};

/// Finds, in the content of `/proc/<pid>/cgroup`, the path of the process's group in `hierarchy`.
///
/// v1 lines (`4:cpu,cpuacct:/a/b`) are matched by a controller the hierarchy serves; the v2 line
/// is `0::/a/b`.
pub fn path_in<'a>(text: &'a str, hierarchy: &Hierarchy) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        let matches = match hierarchy.version {
            Version::V2 => id == "0" && controllers.is_empty(),
            Version::V1 => controllers
                .split(',')
                .any(|name| serves(hierarchy.controllers, name)),
        };
        matches.then_some(path)
    })
}

fn serves(controllers: Controllers, v1_name: &str) -> bool {
    controllers.iter().any(|c| c.v1_name() == v1_name)
}

/// Whether `path` is `group` or lies below it.
pub fn is_within(path: &str, group: &str) -> bool {
    path.strip_prefix(group.trim_end_matches('/'))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controller::Controller;
    use std::path::PathBuf;

    const TEXT: &str = "12:cpu,cpuacct:/user/job\n4:memory:/other\n1:name=systemd:/init.scope\n0::/user/cgroups.user\n";

    fn hierarchy(version: Version, controllers: Controllers) -> Hierarchy {
        Hierarchy {
            version,
            controllers,
            dir: PathBuf::new(),
            cgroup_path: "/".into(),
            mount_point: PathBuf::new(),
        }
    }

    #[test]
    fn v1_lines_are_matched_by_controller_and_v2_by_the_empty_list() {
        assert_eq!(
            path_in(TEXT, &hierarchy(Version::V1, Controller::Cpu.into())),
            Some("/user/job")
        );
        assert_eq!(
            path_in(TEXT, &hierarchy(Version::V1, Controller::Memory.into())),
            Some("/other")
        );
        assert_eq!(
            path_in(TEXT, &hierarchy(Version::V2, Controller::Pids.into())),
            Some("/user/cgroups.user")
        );
        assert_eq!(
            path_in(TEXT, &hierarchy(Version::V1, Controller::Pids.into())),
            None
        );
    }

    #[test]
    fn membership_includes_descendants_but_not_siblings_with_a_common_prefix() {
        assert!(is_within("/u/job", "/u/job"));
        assert!(is_within("/u/job/sub", "/u/job"));
        assert!(!is_within("/u/job2", "/u/job"));
        assert!(is_within("/u/job", "/"));
        assert!(is_within("/", "/"));
    }
}
