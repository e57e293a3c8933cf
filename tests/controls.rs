// SPDX-License-Identifier: MIT OR Apache-2.0
//! The controls beyond the seed's two limits, on this host's real cgroup filesystem: CPU cap,
//! pids, memory high and swap, cpuset, io, freeze/thaw, kill and wait_empty. Each test checks
//! the files the kernel shows, the value read back, bad input (nothing written) and, where a
//! layout lacks the interface, the unsupported branch.

mod common;

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use cgroups::{Cgroup, Controller, Error, IoMax, Selection, Unit, Version};
use common::{dir_of, skip, Proc, TestTree};

fn only(controllers: &[Controller]) -> Selection {
    Selection::Only(controllers.iter().copied().collect())
}

/// The version of the hierarchy serving `controller` in the test tree.
fn version_of(tree: &TestTree, controller: Controller) -> Version {
    tree.layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(controller))
        .expect("the host offers the controller")
        .version
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
        .trim()
        .to_string()
}

fn invalid<T: std::fmt::Debug>(result: cgroups::Result<T>) -> bool {
    matches!(result, Err(Error::InvalidArgument(_)))
}

#[test]
fn a_cpu_cap_is_a_quota_per_100ms_and_reads_back_in_cpus() {
    let tree = TestTree::new();
    let group = tree.open("cpu-max", only(&[Controller::Cpu]));
    let dir = dir_of(&tree, &group, Controller::Cpu).0;
    assert_eq!(group.cpu_max().unwrap(), None, "a new group has no cap");
    group.set_cpu_max(1.5).unwrap();
    match version_of(&tree, Controller::Cpu) {
        Version::V2 => assert_eq!(read(&dir, "cpu.max"), "150000 100000"),
        Version::V1 => {
            assert_eq!(read(&dir, "cpu.cfs_quota_us"), "150000");
            assert_eq!(read(&dir, "cpu.cfs_period_us"), "100000");
        }
    }
    assert_eq!(group.cpu_max().unwrap(), Some(1.5));
    group.set_cpu_max(0.333).unwrap();
    assert_eq!(group.cpu_max().unwrap(), Some(0.333));
    group.set_cpu_max(0.01).unwrap();
    assert_eq!(group.cpu_max().unwrap(), Some(0.01));
    for bad in [0.0, -1.0, 0.0099, f64::NAN, f64::INFINITY, 1e9] {
        assert!(invalid(group.set_cpu_max(bad)), "{bad}");
    }
    assert_eq!(
        group.cpu_max().unwrap(),
        Some(0.01),
        "refusals wrote nothing"
    );
    group.reset_cpu_max().unwrap();
    assert_eq!(group.cpu_max().unwrap(), None);
    match version_of(&tree, Controller::Cpu) {
        Version::V2 => assert_eq!(read(&dir, "cpu.max"), "max 100000"),
        Version::V1 => assert_eq!(read(&dir, "cpu.cfs_quota_us"), "-1"),
    }
    group.delete().unwrap();
}

#[test]
fn a_v1_cap_set_with_another_period_is_rewritten_per_100ms() {
    let tree = TestTree::new();
    if version_of(&tree, Controller::Cpu) != Version::V1 {
        return skip("v1 only: v2 writes quota and period in one value");
    }
    let group = tree.open("cpu-period", only(&[Controller::Cpu]));
    let dir = dir_of(&tree, &group, Controller::Cpu).0;
    fs::write(dir.join("cpu.cfs_period_us"), "50000").unwrap();
    fs::write(dir.join("cpu.cfs_quota_us"), "100000").unwrap();
    assert_eq!(group.cpu_max().unwrap(), Some(2.0));
    group.set_cpu_max(0.5).unwrap();
    assert_eq!(read(&dir, "cpu.cfs_period_us"), "100000");
    assert_eq!(read(&dir, "cpu.cfs_quota_us"), "50000");
    group.delete().unwrap();
}

#[test]
fn a_pids_limit_is_written_read_back_and_reset() {
    let tree = TestTree::new();
    let group = tree.open("pids", only(&[Controller::Pids]));
    let dir = dir_of(&tree, &group, Controller::Pids).0;
    assert_eq!(group.pids_limit().unwrap(), None);
    for limit in [32, 0, 1 << 22] {
        group.set_pids_limit(limit).unwrap();
        assert_eq!(read(&dir, "pids.max"), limit.to_string());
        assert_eq!(group.pids_limit().unwrap(), Some(limit));
    }
    group.set_pids_limit(7).unwrap();
    for bad in [(1 << 22) + 1, u64::MAX] {
        assert!(invalid(group.set_pids_limit(bad)), "{bad}");
    }
    assert_eq!(group.pids_limit().unwrap(), Some(7));
    group.reset_pids_limit().unwrap();
    assert_eq!(read(&dir, "pids.max"), "max");
    assert_eq!(group.pids_limit().unwrap(), None);
    group.delete().unwrap();
}

#[test]
fn a_pids_limit_makes_forks_fail() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("pids-fork", only(&[Controller::Pids])));
    group.set_pids_limit(1).unwrap();
    let attached = Arc::clone(&group);
    let mut command = Command::new("sh");
    command.args(["-c", "sleep 0 && echo forked"]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || attached.attach_self()) };
    let output = command.output().unwrap();
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("forked"),
        "the shell forked past a limit of 1"
    );
    group.delete().unwrap();
}

#[test]
fn memory_high_is_a_v2_threshold_and_unsupported_on_v1() {
    let tree = TestTree::new();
    let group = tree.open("memory-high", only(&[Controller::Memory]));
    let dir = dir_of(&tree, &group, Controller::Memory).0;
    match version_of(&tree, Controller::Memory) {
        Version::V2 => {
            assert_eq!(group.memory_high_bytes().unwrap(), None);
            group.set_memory_high(256, Unit::Megabytes).unwrap();
            assert_eq!(read(&dir, "memory.high"), (256u64 << 20).to_string());
            assert_eq!(group.memory_high_bytes().unwrap(), Some(256 << 20));
            assert!(invalid(group.set_memory_high(0, Unit::Bytes)));
            assert!(invalid(group.set_memory_high(u64::MAX, Unit::Gigabytes)));
            assert_eq!(group.memory_high_bytes().unwrap(), Some(256 << 20));
            group.reset_memory_high().unwrap();
            assert_eq!(read(&dir, "memory.high"), "max");
            assert_eq!(group.memory_high_bytes().unwrap(), None);
        }
        Version::V1 => {
            for result in [
                group.set_memory_high(256, Unit::Megabytes),
                group.reset_memory_high(),
                group.memory_high_bytes().map(drop),
            ] {
                match result {
                    Err(Error::Unsupported(message)) => {
                        assert!(message.contains("memory.high"), "{message}")
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    }
    group.delete().unwrap();
}

/// Whether the kernel accounts swap for the group of `dir` (v2 `memory.swap.max`, v1
/// `memory.memsw.limit_in_bytes`).
fn swap_accounted(tree: &TestTree, dir: &Path) -> bool {
    match version_of(tree, Controller::Memory) {
        Version::V2 => dir.join("memory.swap.max").exists(),
        Version::V1 => dir.join("memory.memsw.limit_in_bytes").exists(),
    }
}

#[test]
fn swap_limits_read_back_or_are_unsupported_without_swap_accounting() {
    let tree = TestTree::new();
    let group = tree.open("swap", only(&[Controller::Memory]));
    let dir = dir_of(&tree, &group, Controller::Memory).0;
    if !swap_accounted(&tree, &dir) {
        for result in [
            group.set_swap_limit(1, Unit::Megabytes),
            group.reset_swap_limit(),
            group.swap_limit_bytes().map(drop),
        ] {
            match result {
                Err(Error::Unsupported(message)) => {
                    assert!(message.contains("swap"), "{message}")
                }
                other => panic!("{other:?}"),
            }
        }
        skip("this kernel does not account swap: only the unsupported branch ran");
        return group.delete().unwrap();
    }
    assert_eq!(group.swap_limit_bytes().unwrap(), None);
    group.set_memory_limit(128, Unit::Megabytes).unwrap();
    for (swap, unit, bytes) in [(64, Unit::Megabytes, 64u64 << 20), (0, Unit::Bytes, 0)] {
        group.set_swap_limit(swap, unit).unwrap();
        assert_eq!(group.swap_limit_bytes().unwrap(), Some(bytes));
        match version_of(&tree, Controller::Memory) {
            Version::V2 => assert_eq!(read(&dir, "memory.swap.max"), bytes.to_string()),
            Version::V1 => assert_eq!(
                read(&dir, "memory.memsw.limit_in_bytes"),
                ((128u64 << 20) + bytes).to_string()
            ),
        }
    }
    assert!(invalid(group.set_swap_limit(u64::MAX, Unit::Kilobytes)));
    assert_eq!(group.swap_limit_bytes().unwrap(), Some(0));
    group.reset_swap_limit().unwrap();
    assert_eq!(group.swap_limit_bytes().unwrap(), None);
    group.delete().unwrap();
}

#[test]
fn v1_memory_and_swap_stay_consistent_when_either_rises_or_falls() {
    let tree = TestTree::new();
    let group = tree.open("memsw", only(&[Controller::Memory]));
    let dir = dir_of(&tree, &group, Controller::Memory).0;
    if version_of(&tree, Controller::Memory) != Version::V1 {
        return skip("v1 only: v2 limits memory and swap separately");
    }
    if !swap_accounted(&tree, &dir) {
        return skip("this kernel does not account swap");
    }
    let memsw = || {
        read(&dir, "memory.memsw.limit_in_bytes")
            .parse::<u64>()
            .unwrap()
    };
    let memory = || read(&dir, "memory.limit_in_bytes").parse::<u64>().unwrap();
    assert!(
        invalid(group.set_swap_limit(64, Unit::Megabytes)),
        "v1 cannot cap swap without a memory limit"
    );
    group.set_memory_limit(100, Unit::Megabytes).unwrap();
    group.set_swap_limit(50, Unit::Megabytes).unwrap();
    assert_eq!((memory(), memsw()), (100 << 20, 150 << 20));
    // Raising the memory limit above the old memory + swap needs memsw written first.
    group.set_memory_limit(400, Unit::Megabytes).unwrap();
    assert_eq!((memory(), memsw()), (400 << 20, 450 << 20));
    assert_eq!(group.swap_limit_bytes().unwrap(), Some(50 << 20));
    // Lowering it needs the memory limit written first.
    group.set_memory_limit(64, Unit::Megabytes).unwrap();
    assert_eq!((memory(), memsw()), (64 << 20, 114 << 20));
    assert_eq!(group.swap_limit_bytes().unwrap(), Some(50 << 20));
    // Raising and lowering the swap limit leaves the memory limit alone.
    group.set_swap_limit(1, Unit::Gigabytes).unwrap();
    assert_eq!((memory(), memsw()), (64 << 20, (64 << 20) + (1 << 30)));
    group.set_swap_limit(0, Unit::Bytes).unwrap();
    assert_eq!((memory(), memsw()), (64 << 20, 64 << 20));
    group.set_memory_limit(80, Unit::Megabytes).unwrap();
    assert_eq!((memory(), memsw()), (80 << 20, 80 << 20));
    // A memory limit plus the swap that overflows is refused before anything is written.
    group.set_swap_limit(1, Unit::Megabytes).unwrap();
    assert!(invalid(
        group.set_memory_limit(u64::MAX - 4095, Unit::Bytes)
    ));
    assert_eq!((memory(), memsw()), (80 << 20, 81 << 20));
    // Without a memory limit v1 has no swap limit either.
    group.reset_memory_limit().unwrap();
    assert_eq!(group.memory_limit_bytes().unwrap(), None);
    assert_eq!(group.swap_limit_bytes().unwrap(), None);
    group.set_memory_limit(32, Unit::Megabytes).unwrap();
    assert_eq!(group.swap_limit_bytes().unwrap(), None);
    group.delete().unwrap();

    // A handle that made its group knows memsw is the default until it writes it; a swap limit
    // set through another handle meanwhile is found when the kernel refuses a higher limit.
    let maker = tree.open("memsw-two-handles", only(&[Controller::Memory]));
    let other = tree.open("memsw-two-handles", only(&[Controller::Memory]));
    let dir = dir_of(&tree, &maker, Controller::Memory).0;
    other.set_memory_limit(100, Unit::Megabytes).unwrap();
    other.set_swap_limit(50, Unit::Megabytes).unwrap();
    maker.set_memory_limit(400, Unit::Megabytes).unwrap();
    assert_eq!(
        read(&dir, "memory.memsw.limit_in_bytes"),
        (450u64 << 20).to_string()
    );
    assert_eq!(maker.swap_limit_bytes().unwrap(), Some(50 << 20));
    maker.delete().unwrap();
}

#[test]
fn cpusets_are_checked_written_and_read_back() {
    let tree = TestTree::new();
    let group = tree.open("cpuset", only(&[Controller::Cpuset]));
    let dir = dir_of(&tree, &group, Controller::Cpuset).0;
    let (cpus_file, mems_file) = match version_of(&tree, Controller::Cpuset) {
        Version::V2 => ("cpuset.cpus.effective", "cpuset.mems.effective"),
        Version::V1 => ("cpuset.effective_cpus", "cpuset.effective_mems"),
    };
    let parent_cpus = read(dir.parent().unwrap(), cpus_file);
    let first_cpu = parent_cpus
        .split([',', '-'])
        .next()
        .unwrap()
        .parse::<u32>()
        .unwrap();
    let parent_mems = read(dir.parent().unwrap(), mems_file);
    let first_mem = parent_mems.split([',', '-']).next().unwrap().to_string();
    group
        .set_cpuset(Some(&first_cpu.to_string()), Some(&first_mem))
        .unwrap();
    assert_eq!(read(&dir, "cpuset.cpus"), first_cpu.to_string());
    assert_eq!(
        group.cpuset().unwrap(),
        (first_cpu.to_string(), first_mem.clone())
    );
    let before = group.cpuset().unwrap();
    for bad in ["a", "3-1", "0,,1", "0-", "1 2", "99999"] {
        assert!(invalid(group.set_cpuset(Some(bad), None)), "{bad:?}");
        assert!(invalid(group.set_cpuset(None, Some(bad))), "{bad:?}");
    }
    // Well-formed, but no such CPU: the kernel refuses, and what was written is restored.
    assert!(invalid(
        group.set_cpuset(Some(&first_cpu.to_string()), Some("8000"))
    ));
    assert!(invalid(group.set_cpuset(Some("8000"), None)));
    assert_eq!(group.cpuset().unwrap(), before);
    // None leaves a half unchanged.
    group.set_cpuset(Some(&parent_cpus), None).unwrap();
    assert_eq!(group.cpuset().unwrap(), (parent_cpus.clone(), first_mem));
    if version_of(&tree, Controller::Cpuset) == Version::V1 {
        assert!(invalid(group.set_cpuset(Some(""), None)));
    } else {
        group.set_cpuset(Some(""), Some("")).unwrap();
        assert_eq!(group.cpuset().unwrap(), (String::new(), String::new()));
    }
    group.delete().unwrap();
}

/// A whole disk of this system, as (`/dev` path if present, `MAJ:MIN`).
fn a_whole_disk() -> Option<(Option<String>, String)> {
    let mut disks: Vec<_> = fs::read_dir("/sys/block").ok()?.flatten().collect();
    disks.sort_by_key(|e| e.file_name());
    let disk = disks.first()?;
    let number = fs::read_to_string(disk.path().join("dev")).ok()?;
    let path = Path::new("/dev").join(disk.file_name());
    Some((
        path.exists().then(|| path.display().to_string()),
        number.trim().to_string(),
    ))
}

#[test]
fn io_caps_are_set_per_device_read_back_and_lifted() {
    let tree = TestTree::new();
    let group = tree.open("io", only(&[Controller::Io]));
    for bad in ["", "8", "a:b", "/dev/null", "/nonexistent", "4095:1048575"] {
        assert!(invalid(group.io_max(bad)), "{bad:?}");
        assert!(invalid(group.set_io_max(bad, IoMax::default())), "{bad:?}");
    }
    let Some((path, number)) = a_whole_disk() else {
        skip("no block device on this system: only the bad-device branch ran");
        return group.delete().unwrap();
    };
    let device = path.clone().unwrap_or_else(|| number.clone());
    assert_eq!(group.io_max(&device).unwrap(), IoMax::default());
    let caps = IoMax {
        read_bps: Some(1 << 20),
        write_bps: None,
        read_iops: Some(300),
        write_iops: Some(2),
    };
    group.set_io_max(&device, caps).unwrap();
    assert_eq!(group.io_max(&number).unwrap(), caps);
    let dir = dir_of(&tree, &group, Controller::Io).0;
    match version_of(&tree, Controller::Io) {
        Version::V2 => assert_eq!(
            read(&dir, "io.max"),
            format!("{number} rbps=1048576 wbps=max riops=300 wiops=2")
        ),
        Version::V1 => {
            assert_eq!(
                read(&dir, "blkio.throttle.read_bps_device"),
                format!("{number} 1048576")
            );
            assert_eq!(read(&dir, "blkio.throttle.write_bps_device"), "");
        }
    }
    for bad in [
        IoMax {
            read_bps: Some(1),
            ..caps
        },
        IoMax {
            write_iops: Some(u32::MAX as u64),
            ..caps
        },
    ] {
        assert!(invalid(group.set_io_max(&device, bad)), "{bad:?}");
    }
    assert_eq!(
        group.io_max(&device).unwrap(),
        caps,
        "refusals wrote nothing"
    );
    group.set_io_max(&number, IoMax::default()).unwrap();
    assert_eq!(group.io_max(&device).unwrap(), IoMax::default());
    group.delete().unwrap();
}

/// The total CPU time (user + system, in clock ticks) of a process.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn a_frozen_group_runs_nothing_until_thawed() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("freezer", only(&[Controller::Freezer])));
    let attached = Arc::clone(&group);
    let mut command = Command::new("sh");
    command.args(["-c", "while :; do :; done"]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || attached.attach_self()) };
    let spinner = Proc::spawn(&mut command);
    // Dropped before the spinner: a v1 freezer holds even SIGKILL until the group is thawed.
    let _thaw = common::ThawOnDrop(&group);
    assert!(!group.frozen().unwrap());
    group.freeze().unwrap();
    assert!(group.frozen().unwrap());
    group.freeze().unwrap();
    let frozen_at = cpu_ticks(spinner.pid());
    sleep(Duration::from_millis(300));
    assert_eq!(cpu_ticks(spinner.pid()), frozen_at, "a frozen process ran");
    group.thaw().unwrap();
    assert!(!group.frozen().unwrap());
    let deadline = Instant::now() + Duration::from_secs(10);
    while cpu_ticks(spinner.pid()) == frozen_at {
        assert!(Instant::now() < deadline, "the thawed process never ran");
        sleep(Duration::from_millis(20));
    }
    drop(spinner);
    group.delete().unwrap();
}

#[test]
fn calls_on_a_controller_the_group_was_not_opened_with_name_it() {
    let tree = TestTree::new();
    let group = tree.open("cpuset-only", only(&[Controller::Cpuset]));
    let checks: [(&str, cgroups::Result<()>); 8] = [
        ("cpu", group.set_cpu_max(1.0)),
        ("cpu", group.cpu_max().map(drop)),
        ("pids", group.set_pids_limit(3)),
        ("memory", group.set_memory_high(1, Unit::Gigabytes)),
        ("memory", group.set_swap_limit(1, Unit::Gigabytes)),
        ("io", group.io_max("8:0").map(drop)),
        ("freezer", group.freeze()),
        ("freezer", group.frozen().map(drop)),
    ];
    for (name, result) in checks {
        match result {
            Err(Error::ControllerUnavailable { controller, .. }) => assert_eq!(controller, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    let cpu_only = tree.open("cpu-only", only(&[Controller::Cpu]));
    match cpu_only.set_cpuset(Some("0"), None) {
        Err(Error::ControllerUnavailable { controller, .. }) => assert_eq!(controller, "cpuset"),
        other => panic!("{other:?}"),
    }
    cpu_only.delete().unwrap();
    group.delete().unwrap();
}

#[test]
fn every_new_call_on_a_vanished_group_is_not_found() {
    let tree = TestTree::new();
    let group = tree.open("vanished", Selection::All);
    tree.open("vanished", Selection::All).delete().unwrap();
    let results: Vec<(&str, cgroups::Result<()>)> = vec![
        ("set_cpu_max", group.set_cpu_max(1.0)),
        ("reset_cpu_max", group.reset_cpu_max()),
        ("cpu_max", group.cpu_max().map(drop)),
        ("set_pids_limit", group.set_pids_limit(3)),
        ("pids_limit", group.pids_limit().map(drop)),
        ("set_cpuset", group.set_cpuset(Some("0"), None)),
        ("cpuset", group.cpuset().map(drop)),
        ("freeze", group.freeze()),
        ("thaw", group.thaw()),
        ("frozen", group.frozen().map(drop)),
        ("kill", group.kill(libc::SIGTERM)),
        ("kill -9", group.kill(libc::SIGKILL)),
        ("wait_empty", group.wait_empty(Some(Duration::ZERO))),
    ];
    for (call, result) in results {
        assert!(
            matches!(result, Err(Error::NotFound { .. })),
            "{call}: {result:?}"
        );
    }
}

/// A shell in `group` that keeps forking: each round leaves a sleeping grandchild behind,
/// until the group's pids limit makes forks fail.
fn fork_bomb_in(group: &Arc<Cgroup>) -> Proc {
    let attached = Arc::clone(group);
    let mut command = Command::new("sh");
    command.args(["-c", "while :; do (sleep 600 &) 2>/dev/null; done"]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || attached.attach_self()) };
    Proc::spawn(&mut command)
}

/// Waits until the group holds at least `count` processes.
fn wait_for_members(group: &Cgroup, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while members_below(group) < count {
        assert!(Instant::now() < deadline, "the group never grew to {count}");
        sleep(Duration::from_millis(20));
    }
}

/// The number of processes in the group and its child groups, from the files.
fn members_below(group: &Cgroup) -> usize {
    let dir = group.paths().next().unwrap();
    let mut count = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        count += common::procs_of(&dir).len();
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(entry.path());
            }
        }
    }
    count
}

fn kill_a_fork_bomb(tree: &TestTree, name: &str, selection: Selection, signal: i32) {
    let group = Arc::new(tree.open(name, selection));
    group.set_pids_limit(40).unwrap();
    let bomb = fork_bomb_in(&group);
    wait_for_members(&group, 20);
    let started = Instant::now();
    group.kill(signal).unwrap();
    group.wait_empty(Some(Duration::from_secs(20))).unwrap();
    eprintln!(
        "{name}: signal {signal}: empty after {:?}",
        started.elapsed()
    );
    assert!(group.pids().unwrap().is_empty());
    assert_eq!(members_below(&group), 0);
    assert!(!bomb.is_alive());
    drop(bomb);
    group.delete().unwrap();
}

#[test]
fn sigkill_empties_a_group_that_forks_continuously() {
    let tree = TestTree::new();
    kill_a_fork_bomb(&tree, "bomb-kill", Selection::All, libc::SIGKILL);
}

#[test]
fn sigterm_reaches_every_process_of_a_group_that_forks_continuously() {
    let tree = TestTree::new();
    kill_a_fork_bomb(&tree, "bomb-term", Selection::All, libc::SIGTERM);
}

#[test]
fn sigkill_without_the_freezer_empties_a_v1_group_that_forks_continuously() {
    let tree = TestTree::new();
    if version_of(&tree, Controller::Pids) != Version::V1 {
        return skip("v1 pids only: a v2 group is killed through cgroup.kill");
    }
    kill_a_fork_bomb(
        &tree,
        "bomb-nofreezer",
        only(&[Controller::Pids]),
        libc::SIGKILL,
    );
    let group = tree.open("term-nofreezer", only(&[Controller::Pids]));
    match group.kill(libc::SIGTERM) {
        Err(Error::ControllerUnavailable { controller, .. }) => assert_eq!(controller, "freezer"),
        other => panic!("{other:?}"),
    }
    group.delete().unwrap();
}

#[test]
fn kill_reaches_child_groups_and_leaves_the_group_thawed() {
    let tree = TestTree::new();
    let parent = tree.open("family", Selection::All);
    let child = Arc::new(tree.open("family/child", Selection::All));
    let sleeper = Proc::sleeper_in(&child);
    wait_for_members(&parent, 1);
    parent.kill(libc::SIGTERM).unwrap();
    parent.wait_empty(Some(Duration::from_secs(10))).unwrap();
    assert!(!sleeper.is_alive());
    if parent.controllers().contains(Controller::Freezer) {
        assert!(!parent.frozen().unwrap());
    }
    drop(sleeper);
    child.delete().unwrap();
    parent.delete().unwrap();
}

#[test]
fn bad_signals_are_refused_and_nothing_is_signalled() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("bad-signal", Selection::All));
    let sleeper = Proc::sleeper_in(&group);
    wait_for_members(&group, 1);
    for bad in [0, -1, 65, i32::MAX] {
        assert!(invalid(group.kill(bad)), "{bad}");
    }
    assert!(sleeper.is_alive());
    drop(sleeper);
    group.delete().unwrap();
}

#[test]
fn waiting_for_an_empty_group_times_out_while_a_process_lives() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("wait", Selection::All));
    group.wait_empty(Some(Duration::ZERO)).unwrap();
    group.wait_empty(None).unwrap();
    let sleeper = Proc::sleeper_in(&group);
    wait_for_members(&group, 1);
    let started = Instant::now();
    assert!(matches!(
        group.wait_empty(Some(Duration::from_millis(200))),
        Err(Error::TimedOut(_))
    ));
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(started.elapsed() < Duration::from_secs(5));
    let pid = sleeper.pid();
    let waiter = {
        let group = Arc::clone(&group);
        std::thread::spawn(move || group.wait_empty(Some(Duration::from_secs(20))))
    };
    sleep(Duration::from_millis(50));
    // SAFETY: kill of our own child.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    waiter.join().unwrap().unwrap();
    drop(sleeper);
    group.delete().unwrap();
}

#[test]
fn delete_still_never_kills() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("no-kill", Selection::All));
    let sleeper = Proc::sleeper_in(&group);
    wait_for_members(&group, 1);
    group.delete().unwrap();
    assert!(sleeper.is_alive());
}
