// SPDX-License-Identifier: MIT OR Apache-2.0
//! Statistics on this host's real cgroup filesystem (and in the VM matrix): each kind comes from
//! the hierarchy serving it, absent is kept apart from 0, and a group removed meanwhile is
//! reported as not found.

mod common;

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use cgroups::{Cgroup, Controller, Error, StatKinds, Unit, Version};
use common::{dir_of, skip, with, Proc, TestTree};

/// Runs `sh -c script` inside `group` (it moves itself in before exec) and waits for it.
fn run_in(group: &Arc<Cgroup>, script: &str) -> std::process::ExitStatus {
    let group = Arc::clone(group);
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || group.attach_self()) };
    command.status().expect("run sh")
}

/// One to two seconds of CPU in a shell loop.
const BURN: &str = "end=$(( $(date +%s) + 2 )); while [ $(date +%s) -lt $end ]; do :; done";

#[test]
fn a_busy_group_reports_its_memory_and_cpu_usage() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open(
        "busy",
        with(&[Controller::Cpu, Controller::Memory, Controller::Pids]),
    ));
    let before = group.stats(StatKinds::ALL).unwrap();
    assert_eq!(
        before.cpu_usage_usec,
        Some(0),
        "a new group has used no CPU"
    );
    assert!(run_in(&group, BURN).success());
    let sleeper = Proc::sleeper_in(&group);
    std::thread::sleep(Duration::from_millis(100));
    let stats = group.stats(StatKinds::ALL).unwrap();
    let present = stats.present();
    for kind in [
        StatKinds::MEMORY_CURRENT,
        StatKinds::MEMORY_STAT,
        StatKinds::CPU_USAGE,
        StatKinds::PIDS,
    ] {
        assert!(present.contains(kind), "{kind:?} absent: {stats:?}");
    }
    let usage = stats.cpu_usage_usec.unwrap();
    assert!(usage >= 300_000, "a second of busy loop used {usage} µs");
    let split = stats.cpu_user_usec.unwrap() + stats.cpu_system_usec.unwrap();
    assert!(
        split >= usage / 3 && split <= usage * 3,
        "user + system {split} µs against {usage} µs"
    );
    assert!(stats.memory_current.unwrap() > 0, "{stats:?}");
    assert!(stats.memory_peak.unwrap_or(u64::MAX) >= stats.memory_current.unwrap());
    assert_eq!(stats.pids_current, Some(1));
    assert_eq!(stats.pids_max_events, Some(0));
    drop(sleeper);
    group.delete().unwrap();
}

#[test]
fn only_the_kinds_asked_for_are_given() {
    let tree = TestTree::new();
    let group = tree.open("asked", with(&[Controller::Cpu, Controller::Memory]));
    let stats = group.stats(StatKinds::MEMORY_CURRENT).unwrap();
    assert!(stats.memory_current.is_some());
    assert_eq!(stats.present(), StatKinds::MEMORY_CURRENT);
    assert_eq!(stats.cpu_usage_usec, None);
    assert_eq!(
        group.stats(StatKinds::NONE).unwrap().present(),
        StatKinds::NONE
    );
    group.delete().unwrap();
}

#[test]
fn statistics_of_a_controller_the_group_lacks_are_absent_not_zero() {
    let tree = TestTree::new();
    let group = tree.open("memory-only", with(&[Controller::Memory]));
    let stats = group.stats(StatKinds::ALL).unwrap();
    assert_eq!(stats.pids_current, None);
    assert_eq!(stats.cpu_periods, None);
    assert!(!stats
        .present()
        .intersects(StatKinds::PIDS | StatKinds::CPU_THROTTLING));
    let (_, version) = dir_of(&tree, &group, Controller::Memory);
    // v2: every group's cpu.stat has its usage; v1: only the cpuacct hierarchy has it.
    assert_eq!(
        stats.present().contains(StatKinds::CPU_USAGE),
        version == Version::V2,
        "{stats:?}"
    );
    group.delete().unwrap();
}

#[test]
fn a_group_opened_with_cpu_is_made_in_the_cpuacct_hierarchy_too() {
    let tree = TestTree::new();
    let Some(companion) = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.cpuacct && h.controllers.is_empty())
    else {
        return skip("cpu and cpuacct are not mounted apart here");
    };
    let group = Arc::new(tree.open("accounted", with(&[Controller::Cpu])));
    let accounted = companion.dir.join(group.user().unwrap()).join("accounted");
    assert!(group.paths().any(|p| p == accounted));
    let sleeper = Proc::sleeper_in(&group);
    assert_eq!(common::procs_of(&accounted), [sleeper.pid()]);
    assert_eq!(group.pids().unwrap(), [sleeper.pid()]);
    group.remove(sleeper.pid()).unwrap();
    assert!(common::procs_of(&accounted).is_empty());
    group.add(sleeper.pid()).unwrap();
    group.delete().unwrap();
    assert!(!accounted.exists());
}

#[test]
fn a_cpu_cap_shows_as_throttling() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("capped", with(&[Controller::Cpu])));
    let (dir, version) = dir_of(&tree, &group, Controller::Cpu);
    match version {
        Version::V2 => fs::write(dir.join("cpu.max"), "10000 100000").unwrap(),
        Version::V1 => fs::write(dir.join("cpu.cfs_quota_us"), "10000").unwrap(),
    }
    assert!(run_in(&group, BURN).success());
    let stats = group.stats(StatKinds::CPU_THROTTLING).unwrap();
    assert!(stats.cpu_periods.unwrap() > 0, "{stats:?}");
    assert!(stats.cpu_throttled_periods.unwrap() > 0, "{stats:?}");
    assert!(stats.cpu_throttled_usec.unwrap() > 0, "{stats:?}");
    group.delete().unwrap();
}

#[test]
fn an_oom_kill_is_counted() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("oom", with(&[Controller::Memory])));
    group.set_memory_limit(16, Unit::Megabytes).unwrap();
    let status = run_in(&group, "exec dd if=/dev/zero of=/dev/null bs=64M count=1");
    assert!(
        !status.success(),
        "dd with a 64 MiB buffer survived a 16 MiB limit"
    );
    let stats = group.stats(StatKinds::MEMORY_EVENTS).unwrap();
    assert!(stats.memory_oom_kills.unwrap() >= 1, "{stats:?}");
    let (_, version) = dir_of(&tree, &group, Controller::Memory);
    match version {
        Version::V2 => assert!(stats.memory_oom_events.unwrap() >= 1, "{stats:?}"),
        Version::V1 => assert_eq!(stats.memory_oom_events, None),
    }
    group.delete().unwrap();
}

#[test]
fn a_fork_refused_by_pids_max_is_counted() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("forks", with(&[Controller::Pids])));
    let (dir, _) = dir_of(&tree, &group, Controller::Pids);
    fs::write(dir.join("pids.max"), "1").unwrap();
    run_in(&group, "sleep 0 & wait");
    let stats = group.stats(StatKinds::PIDS).unwrap();
    assert!(stats.pids_max_events.unwrap() >= 1, "{stats:?}");
    group.delete().unwrap();
}

#[test]
fn direct_io_is_counted_in_bytes_and_operations() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("io", with(&[Controller::Io])));
    let scratch_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(&scratch_dir).unwrap();
    let scratch = scratch_dir.join(format!("cgroups-test-io-{}", std::process::id()));
    fs::write(&scratch, b"").unwrap();
    let device = {
        use std::os::unix::fs::MetadataExt;
        let dev = fs::metadata(&scratch).unwrap().dev();
        (libc::major(dev), libc::minor(dev))
    };
    let (dir, version) = dir_of(&tree, &group, Controller::Io);
    if device.0 == 0 {
        fs::remove_file(&scratch).unwrap();
        return skip("the scratch directory is on no block device");
    }
    // v1 blkio counts I/O only where throttling is active on the device (Linux 5.x+).
    if version == Version::V1
        && fs::write(
            dir.join("blkio.throttle.write_bps_device"),
            format!("{}:{} 1099511627776", device.0, device.1),
        )
        .is_err()
    {
        fs::remove_file(&scratch).unwrap();
        return skip("the scratch file's device takes no blkio throttle rule (a partition?)");
    }
    let script = format!(
        "dd if=/dev/zero of='{}' bs=1M count=4 oflag=direct 2>/dev/null",
        scratch.display()
    );
    let status = run_in(&group, &script);
    fs::remove_file(&scratch).unwrap();
    if !status.success() {
        return skip("the scratch filesystem refuses O_DIRECT");
    }
    let stats = group.stats(StatKinds::IO).unwrap();
    assert!(stats.io_write_bytes.unwrap() >= 4 << 20, "{stats:?}");
    assert!(stats.io_write_ios.unwrap() >= 1, "{stats:?}");
    assert!(stats.present().contains(StatKinds::IO));
    group.delete().unwrap();
}

#[test]
fn statistics_of_a_removed_group_are_not_found() {
    let tree = TestTree::new();
    let group = tree.open("gone", with(&[Controller::Cpu, Controller::Memory]));
    let reader = group
        .stats_reader(StatKinds::MEMORY_CURRENT | StatKinds::CPU_USAGE)
        .unwrap();
    assert!(reader.read().unwrap().memory_current.is_some());
    group.delete().unwrap();
    let err = group.stats(StatKinds::ALL).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = reader.read().unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn a_kept_descriptor_reader_reads_what_a_one_shot_read_does() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("kept", with(&[Controller::Cpu, Controller::Memory])));
    let want = StatKinds::MEMORY_CURRENT | StatKinds::CPU_USAGE;
    let reader = group.stats_reader(want).unwrap();
    let expected_files = match dir_of(&tree, &group, Controller::Memory).1 {
        Version::V2 => 2,
        Version::V1 => 3,
    };
    assert_eq!(reader.descriptors(), expected_files);
    assert!(run_in(&group, BURN).success());
    let kept = reader.read().unwrap();
    let fresh = group.stats(want).unwrap();
    assert_eq!(kept.present(), want);
    assert_eq!(
        kept.cpu_usage_usec, fresh.cpu_usage_usec,
        "nothing runs there now"
    );
    assert!(kept.cpu_usage_usec.unwrap() > 0);
    group.delete().unwrap();
}
