// SPDX-License-Identifier: MIT OR Apache-2.0
//! Pressure stall information on the real kernel: read where the group has a cgroup2 directory
//! and PSI is on, unsupported with a reason elsewhere, and a trigger that wakes with POLLPRI
//! under a real memory stall (a hog in a group with a tight memory.high).

mod common;

use std::fs;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cgroups::{Cgroup, Error, Resource, Selection, Stall, Version};
use common::{skip, Proc, TestTree};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// The group's cgroup2 directory, if it has one.
fn unified_dir(tree: &TestTree, group: &Cgroup) -> Option<std::path::PathBuf> {
    let h = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.version == Version::V2)?;
    group
        .paths()
        .find(|p| p.starts_with(&h.dir))
        .map(Path::to_path_buf)
}

fn psi_on() -> bool {
    Path::new("/proc/pressure").exists()
}

#[test]
fn pressure_is_read_where_the_group_has_a_cgroup2_directory_and_refused_with_a_reason_elsewhere() {
    let tree = TestTree::new();
    let group = tree.open("pressure", Selection::All);
    let unified = unified_dir(&tree, &group);
    for resource in [Resource::Cpu, Resource::Memory, Resource::Io] {
        match (&unified, psi_on()) {
            (Some(dir), true) => {
                let pressure = group.pressure(resource).unwrap();
                let text = fs::read_to_string(dir.join(resource.file())).unwrap();
                let some = text.lines().next().unwrap();
                assert!(
                    some.starts_with("some avg10="),
                    "{resource:?}: {text:?} vs {pressure:?}"
                );
                assert!((0.0..=100.0).contains(&pressure.some.avg10));
            }
            (None, _) => {
                let err = group.pressure(resource).unwrap_err();
                assert!(
                    matches!(&err, Error::Unsupported(m) if m.contains("cgroup2")),
                    "{err}"
                );
            }
            (Some(_), false) => {
                let err = group.pressure(resource).unwrap_err();
                assert!(
                    matches!(&err, Error::Unsupported(m) if m.contains("/proc/pressure")),
                    "{err}"
                );
            }
        }
    }
    group.delete().unwrap();
}

#[test]
fn trigger_arguments_out_of_range_are_refused_before_anything_is_made() {
    let tree = TestTree::new();
    let group = tree.open("bad-trigger", Selection::All);
    let ms = Duration::from_millis;
    for (threshold, window) in [
        (ms(100), ms(20_000)),
        (ms(0), ms(1000)),
        (ms(2000), ms(1000)),
    ] {
        let err = group
            .pressure_trigger(Resource::Memory, Stall::Some, threshold, window)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    }
    group.delete().unwrap();
}

#[test]
fn a_memory_trigger_wakes_with_pollpri_under_a_real_stall() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("stall", Selection::All));
    let Some(dir) = unified_dir(&tree, &group) else {
        let err = group
            .pressure_trigger(
                Resource::Memory,
                Stall::Some,
                Duration::from_millis(50),
                Duration::from_secs(1),
            )
            .unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)), "{err}");
        group.delete().unwrap();
        return skip("the group has no cgroup2 directory here");
    };
    if !psi_on() || !dir.join("memory.high").exists() {
        group.delete().unwrap();
        return skip("needs PSI and the memory controller on cgroup2");
    }
    fs::write(dir.join("memory.high"), "4M").unwrap();
    let trigger = group
        .pressure_trigger(
            Resource::Memory,
            Stall::Some,
            Duration::from_millis(20),
            Duration::from_secs(1),
        )
        .unwrap();
    let attached = Arc::clone(&group);
    let mut hog = Command::new("dd");
    hog.args(["if=/dev/zero", "of=/dev/null", "bs=32M", "count=100"]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { hog.pre_exec(move || attached.attach_self()) };
    let hog = Proc::spawn(&mut hog);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut woke = false;
    while !woke && Instant::now() < deadline {
        let mut fds = [PollFd::new(trigger.as_fd(), PollFlags::POLLPRI)];
        if poll(&mut fds, PollTimeout::from(1000u16)).unwrap() > 0 {
            let revents = fds[0].revents().unwrap_or(PollFlags::empty());
            assert!(!revents.contains(PollFlags::POLLERR), "{revents:?}");
            woke = revents.contains(PollFlags::POLLPRI);
        }
    }
    drop(hog);
    let stalled = group.pressure(Resource::Memory).unwrap();
    assert!(woke, "no POLLPRI while {stalled:?}");
    assert!(stalled.some.total_usec > 20_000, "{stalled:?}");
    drop(trigger);
    group.delete().unwrap();
}
