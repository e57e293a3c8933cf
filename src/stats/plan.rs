// SPDX-License-Identifier: MIT OR Apache-2.0
//! Which files a selection of statistics needs, per layout: each kind comes from one or two
//! files of the directory serving it, and a file that serves several kinds (v2 `cpu.stat`, v1
//! `memory.stat`) is read once.

use super::StatKinds;
use crate::layout::{Controller, Version};

/// Which of a group's directories a kind of statistic is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The directory of the hierarchy serving the controller.
    Of(Controller),
    /// CPU usage: on v1 the directory in the hierarchy carrying `cpuacct`; otherwise the
    /// group's cgroup2 directory, where `cpu.stat` has the usage whatever the controllers.
    CpuUsage,
}

/// Where a kind of statistic is read from.
pub(crate) fn role(kind: StatKinds) -> Role {
    match kind {
        StatKinds::CPU_USAGE => Role::CpuUsage,
        StatKinds::CPU_THROTTLING => Role::Of(Controller::Cpu),
        StatKinds::PIDS => Role::Of(Controller::Pids),
        StatKinds::IO => Role::Of(Controller::Io),
        _ => Role::Of(Controller::Memory),
    }
}

/// The files a kind of statistic is read from, in a hierarchy of `version`.
pub(crate) fn files(kind: StatKinds, version: Version) -> &'static [&'static str] {
    match (kind, version) {
        (StatKinds::MEMORY_CURRENT, Version::V1) => &["memory.usage_in_bytes"],
        (StatKinds::MEMORY_CURRENT, Version::V2) => &["memory.current"],
        (StatKinds::MEMORY_PEAK, Version::V1) => &["memory.max_usage_in_bytes"],
        (StatKinds::MEMORY_PEAK, Version::V2) => &["memory.peak"],
        (StatKinds::MEMORY_SWAP, Version::V1) => &["memory.stat"],
        (StatKinds::MEMORY_SWAP, Version::V2) => &["memory.swap.current"],
        (StatKinds::MEMORY_STAT, _) => &["memory.stat"],
        (StatKinds::MEMORY_EVENTS, Version::V1) => &["memory.oom_control"],
        (StatKinds::MEMORY_EVENTS, Version::V2) => &["memory.events"],
        (StatKinds::CPU_USAGE, Version::V1) => &["cpuacct.usage", "cpuacct.stat"],
        (StatKinds::CPU_USAGE | StatKinds::CPU_THROTTLING, _) => &["cpu.stat"],
        (StatKinds::PIDS, _) => &["pids.current", "pids.events"],
        (StatKinds::IO, Version::V1) => &[
            "blkio.throttle.io_service_bytes_recursive",
            "blkio.throttle.io_serviced_recursive",
        ],
        (StatKinds::IO, Version::V2) => &["io.stat"],
        _ => &[],
    }
}

/// One file to read, and the kinds whose fields it fills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Read<D> {
    /// The directory holding it.
    pub dir: D,
    /// The version of that directory's hierarchy.
    pub version: Version,
    /// The file.
    pub file: &'static str,
    /// The kinds it serves.
    pub kinds: StatKinds,
}

/// The files `want` needs, each once, in the order of the kinds. `dir_of` gives the directory
/// serving a role and its version, or `None` where the group has none (its kinds stay absent).
pub(crate) fn plan<D: Copy + PartialEq>(
    want: StatKinds,
    dir_of: impl Fn(Role) -> Option<(D, Version)>,
) -> Vec<Read<D>> {
    let mut reads: Vec<Read<D>> = Vec::new();
    for kind in want.iter() {
        let Some((dir, version)) = dir_of(role(kind)) else {
            continue;
        };
        for &file in files(kind, version) {
            match reads.iter_mut().find(|r| r.dir == dir && r.file == file) {
                Some(read) => read.kinds |= kind,
                None => reads.push(Read {
                    dir,
                    version,
                    file,
                    kinds: kind,
                }),
            }
        }
    }
    reads
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This host's shape: v1 with cpu and cpuacct mounted apart.
    fn v1_apart(role: Role) -> Option<(&'static str, Version)> {
        let dir = match role {
            Role::CpuUsage => "cpuacct",
            Role::Of(Controller::Cpu) => "cpu",
            Role::Of(Controller::Memory) => "memory",
            Role::Of(Controller::Pids) => "pids",
            Role::Of(_) => return None,
        };
        Some((dir, Version::V1))
    }

    fn v2(role: Role) -> Option<(&'static str, Version)> {
        Some(("group", Version::V2)).filter(|_| role != Role::Of(Controller::Io))
    }

    fn files_of(reads: &[Read<&'static str>]) -> Vec<String> {
        reads
            .iter()
            .map(|r| format!("{}/{}", r.dir, r.file))
            .collect()
    }

    #[test]
    fn memory_and_cpu_usage_read_only_their_files() {
        let want = StatKinds::MEMORY_CURRENT | StatKinds::CPU_USAGE;
        assert_eq!(
            files_of(&plan(want, v1_apart)),
            [
                "memory/memory.usage_in_bytes",
                "cpuacct/cpuacct.usage",
                "cpuacct/cpuacct.stat"
            ]
        );
        assert_eq!(
            files_of(&plan(want, v2)),
            ["group/memory.current", "group/cpu.stat"]
        );
    }

    #[test]
    fn a_file_serving_several_kinds_is_read_once() {
        let reads = plan(StatKinds::CPU_USAGE | StatKinds::CPU_THROTTLING, v2);
        assert_eq!(files_of(&reads), ["group/cpu.stat"]);
        assert_eq!(
            reads[0].kinds,
            StatKinds::CPU_USAGE | StatKinds::CPU_THROTTLING
        );
        let reads = plan(StatKinds::MEMORY_SWAP | StatKinds::MEMORY_STAT, v1_apart);
        assert_eq!(files_of(&reads), ["memory/memory.stat"]);
    }

    #[test]
    fn kinds_without_a_directory_read_nothing() {
        assert!(plan(StatKinds::IO, v2).is_empty());
        assert!(plan(StatKinds::NONE, v2).is_empty());
        let everything = files_of(&plan(StatKinds::ALL, v1_apart));
        assert_eq!(everything.len(), 9, "{everything:?}");
        assert!(everything.iter().all(|f| !f.contains("blkio")));
    }

    #[test]
    fn every_kind_has_files_on_both_versions() {
        for kind in StatKinds::ALL.iter() {
            for version in [Version::V1, Version::V2] {
                assert!(!files(kind, version).is_empty(), "{kind:?} {version:?}");
            }
        }
    }
}
