// SPDX-License-Identifier: MIT OR Apache-2.0
//! CPU share and memory limit on this host's real cgroup filesystem.

mod common;

use std::fs;
use std::sync::Arc;

use cgroups::{Controller, Controllers, Error, LayoutKind, Selection, Unit, Version};
use common::{skip, Proc, TestTree};

fn only(controller: Controller) -> Selection {
    Selection::Only(Controllers::from(controller))
}

fn version_of(group: &cgroups::Cgroup, tree: &TestTree, controller: Controller) -> Version {
    let h = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(controller))
        .unwrap();
    assert!(group.paths().any(|p| p.starts_with(&h.dir)));
    h.version
}

#[test]
fn cpu_percent_is_written_as_shares_or_weight_and_read_back() {
    let tree = TestTree::new();
    let group = tree.open("cpu", only(Controller::Cpu));
    let dir = group.paths().next().unwrap().to_path_buf();
    group.set_cpu_share_percent(50.0).unwrap();
    let (file, half, default) = match version_of(&group, &tree, Controller::Cpu) {
        Version::V1 => ("cpu.shares", "512", "1024"),
        Version::V2 => ("cpu.weight", "50", "100"),
    };
    assert_eq!(fs::read_to_string(dir.join(file)).unwrap().trim(), half);
    assert_eq!(group.cpu_share_percent().unwrap(), 50.0);
    group.set_cpu_share_percent(80.0).unwrap();
    assert!((group.cpu_share_percent().unwrap() - 80.0).abs() < 0.1);
    group.reset_cpu_share().unwrap();
    assert_eq!(fs::read_to_string(dir.join(file)).unwrap().trim(), default);
    assert_eq!(group.cpu_share_percent().unwrap(), 100.0);
    group.delete().unwrap();
}

#[test]
fn out_of_range_cpu_percentages_are_refused_and_change_nothing() {
    let tree = TestTree::new();
    let group = tree.open("cpu-bad", only(Controller::Cpu));
    group.set_cpu_share_percent(25.0).unwrap();
    for bad in [0.0, -5.0, 100.01, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(
                group.set_cpu_share_percent(bad),
                Err(Error::InvalidArgument(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(group.cpu_share_percent().unwrap(), 25.0);
    group.delete().unwrap();
}

#[test]
fn memory_limit_in_each_unit_is_read_back_in_bytes() {
    let tree = TestTree::new();
    let group = tree.open("memory", only(Controller::Memory));
    assert_eq!(
        group.memory_limit_bytes().unwrap(),
        None,
        "a new group is unlimited"
    );
    for (limit, unit, bytes) in [
        (500, Unit::Megabytes, 500u64 << 20),
        (1, Unit::Gigabytes, 1 << 30),
        (8192, Unit::Kilobytes, 8 << 20),
        (1 << 24, Unit::Bytes, 1 << 24),
    ] {
        group.set_memory_limit(limit, unit).unwrap();
        assert_eq!(
            group.memory_limit_bytes().unwrap(),
            Some(bytes),
            "{limit} {unit:?}"
        );
    }
    group.reset_memory_limit().unwrap();
    assert_eq!(group.memory_limit_bytes().unwrap(), None);
    group.delete().unwrap();
}

#[test]
fn overflowing_and_zero_memory_limits_are_refused_and_change_nothing() {
    let tree = TestTree::new();
    let group = tree.open("memory-bad", only(Controller::Memory));
    group.set_memory_limit(64, Unit::Megabytes).unwrap();
    assert!(matches!(
        group.set_memory_limit(u64::MAX, Unit::Kilobytes),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        group.set_memory_limit(0, Unit::Bytes),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(group.memory_limit_bytes().unwrap(), Some(64 << 20));
    group.delete().unwrap();
}

#[test]
fn limits_on_a_group_opened_without_the_controller_are_refused() {
    let tree = TestTree::new();
    let group = tree.open("cpu-only", only(Controller::Cpu));
    assert!(matches!(
        group.set_memory_limit(1, Unit::Megabytes),
        Err(Error::ControllerUnavailable { .. })
    ));
    assert!(matches!(
        group.memory_limit_bytes(),
        Err(Error::ControllerUnavailable { .. })
    ));
    group.delete().unwrap();
}

#[test]
fn v1_memory_limit_below_usage_is_busy() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("memory-busy", only(Controller::Memory)));
    if version_of(&group, &tree, Controller::Memory) != Version::V1 {
        return skip(
            "v1 only: on v2 memory.max below usage reclaims or OOM-kills instead of failing",
        );
    }
    // tmpfs pages cannot be reclaimed without swap, so the kernel cannot meet a smaller limit.
    let file = format!("/dev/shm/cgroups-test-{}", std::process::id());
    let writer = {
        let group = Arc::clone(&group);
        let mut command = std::process::Command::new("dd");
        command.args([
            "if=/dev/zero",
            &format!("of={file}"),
            "bs=1M",
            "count=16",
            "status=none",
        ]);
        // SAFETY: attach_self is async-signal-safe.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, move || group.attach_self())
        };
        command.status().unwrap()
    };
    assert!(writer.success());
    let result = group.set_memory_limit(1, Unit::Megabytes);
    let _ = fs::remove_file(&file);
    assert!(matches!(result, Err(Error::Busy { .. })), "{result:?}");
    group.delete().unwrap();
}

#[test]
fn v1_cpuset_groups_inherit_cpus_and_mems_so_processes_can_join() {
    let tree = TestTree::new();
    if !tree
        .layout
        .hierarchies()
        .iter()
        .any(|h| h.version == Version::V1 && h.controllers.contains(Controller::Cpuset))
    {
        return skip("v1 only: v2 cpuset groups inherit the effective CPUs");
    }
    let group = tree.open("pinned/inner", only(Controller::Cpuset));
    let dir = group.paths().next().unwrap().to_path_buf();
    let parent_cpus = fs::read_to_string(
        tree.layout
            .hierarchies()
            .iter()
            .find(|h| h.controllers.contains(Controller::Cpuset))
            .unwrap()
            .dir
            .join("cpuset.cpus"),
    )
    .unwrap();
    assert_eq!(
        fs::read_to_string(dir.join("cpuset.cpus")).unwrap(),
        parent_cpus
    );
    assert!(!fs::read_to_string(dir.join("cpuset.mems"))
        .unwrap()
        .trim()
        .is_empty());
    let sleeper = Proc::sleeper();
    group.add(sleeper.pid()).unwrap();
    group.delete().unwrap();
    tree.open("pinned", only(Controller::Cpuset))
        .delete()
        .unwrap();
}

#[test]
fn the_layout_kind_matches_the_mounts() {
    let tree = TestTree::new();
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let (v1, v2) = (
        mountinfo.contains(" - cgroup "),
        mountinfo.contains(" - cgroup2 "),
    );
    let expected = match (v1, v2) {
        (true, true) => LayoutKind::Hybrid,
        (true, false) => LayoutKind::Legacy,
        _ => LayoutKind::Unified,
    };
    assert_eq!(tree.kind(), expected);
}
