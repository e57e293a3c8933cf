// SPDX-License-Identifier: MIT OR Apache-2.0
//! Event watches on the real kernel: each event is made to happen for real (the last process
//! exits, a process is OOM-killed, a fork is refused by pids.max, the group is frozen) and the
//! watch's descriptor must wake and report it, once.

mod common;

use std::fs;
use std::os::fd::AsFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cgroups::{Cgroup, Controller, Error, Events, Selection, Unit, Version, Watch};
use common::{dir_of, skip, with, Proc, TestTree};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// Long enough for the emulated VMs of the layout matrix.
const PATIENCE: Duration = Duration::from_secs(20);

/// Starts `sh -c script` inside `group` (it moves itself in before exec).
fn start_in(group: &Arc<Cgroup>, script: &str) -> Proc {
    let group = Arc::clone(group);
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || group.attach_self()) };
    Proc::spawn(&mut command)
}

/// Polls the watch's descriptor (as a caller's event loop would) until it reports readable,
/// then reads; repeats until something fired or `PATIENCE` passed.
fn poll_until_fired(watch: &mut Watch) -> Events {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        let mut fds = [PollFd::new(watch.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(1000u16)).unwrap();
        if ready == 0 {
            continue;
        }
        let fired = watch.read().unwrap();
        if !fired.is_empty() {
            return fired;
        }
    }
    Events::NONE
}

/// What fires within `quiet` more (to show an event is reported once).
fn fired_within(watch: &mut Watch, quiet: Duration) -> Events {
    watch.wait(Some(quiet)).unwrap()
}

#[test]
fn the_last_process_exiting_fires_empty_once() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("empty", with(&[Controller::Cpu, Controller::Memory])));
    let sleeper = Proc::sleeper_in(&group);
    while group.pids().unwrap().is_empty() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut watch = group.watch(Events::EMPTY).unwrap();
    assert_eq!(
        watch.read().unwrap(),
        Events::NONE,
        "the group is populated"
    );
    drop(sleeper);
    assert_eq!(poll_until_fired(&mut watch), Events::EMPTY);
    assert_eq!(
        fired_within(&mut watch, Duration::from_millis(400)),
        Events::NONE
    );
    group.delete().unwrap();
}

#[test]
fn a_watch_made_on_an_empty_group_reports_empty_at_its_first_read() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("ended", with(&[Controller::Memory])));
    let mut watch = group.watch(Events::EMPTY).unwrap();
    assert_eq!(watch.wait(Some(Duration::ZERO)).unwrap(), Events::EMPTY);
    assert_eq!(watch.read().unwrap(), Events::NONE);
    let sleeper = Proc::sleeper_in(&group);
    while group.pids().unwrap().is_empty() {
        std::thread::sleep(Duration::from_millis(5));
    }
    // Seen populated (v1: by the next timer check), then empty again: one more EMPTY.
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(watch.read().unwrap(), Events::NONE);
    drop(sleeper);
    assert_eq!(poll_until_fired(&mut watch), Events::EMPTY);
    group.delete().unwrap();
}

#[test]
fn a_process_killed_for_exceeding_the_memory_limit_fires_oom() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("oom", with(&[Controller::Memory])));
    group.set_memory_limit(16, Unit::Megabytes).unwrap();
    let mut watch = group.watch(Events::OOM).unwrap();
    assert_eq!(watch.read().unwrap(), Events::NONE);
    let attached = Arc::clone(&group);
    let mut command = Command::new("dd");
    command.args(["if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || attached.attach_self()) };
    let status = command.status().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}");
    assert_eq!(poll_until_fired(&mut watch), Events::OOM);
    // One OOM may be told by two counters (oom, then oom_kill): wait until it is all told,
    // then nothing more fires.
    let deadline = Instant::now() + PATIENCE;
    while !fired_within(&mut watch, Duration::from_millis(500)).is_empty() {
        assert!(Instant::now() < deadline, "OOM keeps firing");
    }
    assert_eq!(
        fired_within(&mut watch, Duration::from_millis(300)),
        Events::NONE
    );
    group.delete().unwrap();
}

#[test]
fn an_oom_kill_before_the_watch_was_made_is_reported_at_its_first_read() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("oom-before", with(&[Controller::Memory])));
    group.set_memory_limit(16, Unit::Megabytes).unwrap();
    let attached = Arc::clone(&group);
    let mut command = Command::new("dd");
    command.args(["if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || attached.attach_self()) };
    assert_eq!(command.status().unwrap().signal(), Some(libc::SIGKILL));
    let mut watch = group.watch(Events::OOM | Events::EMPTY).unwrap();
    assert_eq!(watch.read().unwrap(), Events::OOM | Events::EMPTY);
    assert_eq!(watch.read().unwrap(), Events::NONE);
    group.delete().unwrap();
}

#[test]
fn a_fork_refused_by_pids_max_fires_pids_max() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("forks", with(&[Controller::Pids])));
    let (dir, _) = dir_of(&tree, &group, Controller::Pids);
    fs::write(dir.join("pids.max"), "1").unwrap();
    let mut watch = group.watch(Events::PIDS_MAX).unwrap();
    assert_eq!(watch.read().unwrap(), Events::NONE);
    let shell = start_in(&group, "sleep 0 & wait; sleep 600");
    assert_eq!(poll_until_fired(&mut watch), Events::PIDS_MAX);
    assert_eq!(
        fired_within(&mut watch, Duration::from_millis(300)),
        Events::NONE
    );
    drop(shell);
    group.delete().unwrap();
}

#[test]
fn a_freeze_fires_frozen() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("freeze", Selection::All));
    let freezer = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(Controller::Freezer));
    let Some(freezer) = freezer else {
        return skip("no freezer on this host");
    };
    let dir = group.paths().find(|p| p.starts_with(&freezer.dir)).unwrap();
    let (file, freeze, thaw) = match freezer.version {
        Version::V2 => ("cgroup.freeze", "1", "0"),
        Version::V1 => ("freezer.state", "FROZEN", "THAWED"),
    };
    let sleeper = Proc::sleeper_in(&group);
    let _thaw = common::ThawOnDrop(&group);
    let mut watch = group.watch(Events::FROZEN | Events::EMPTY).unwrap();
    assert_eq!(watch.read().unwrap(), Events::NONE);
    fs::write(dir.join(file), freeze).unwrap();
    assert_eq!(poll_until_fired(&mut watch), Events::FROZEN);
    fs::write(dir.join(file), thaw).unwrap();
    assert_eq!(
        fired_within(&mut watch, Duration::from_millis(300)),
        Events::NONE
    );
    drop(sleeper);
    group.delete().unwrap();
}

#[test]
fn memory_high_fires_on_v2_and_is_unsupported_on_v1() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("high", with(&[Controller::Memory])));
    let (dir, version) = dir_of(&tree, &group, Controller::Memory);
    if version == Version::V1 {
        let err = group.watch(Events::MEMORY_HIGH).unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)), "{err}");
        group.delete().unwrap();
        return;
    }
    fs::write(dir.join("memory.high"), "8M").unwrap();
    let mut watch = group.watch(Events::MEMORY_HIGH).unwrap();
    let hog = start_in(&group, "exec dd if=/dev/zero of=/dev/null bs=32M count=2");
    assert_eq!(poll_until_fired(&mut watch), Events::MEMORY_HIGH);
    drop(hog);
    group.delete().unwrap();
}

#[test]
fn events_the_group_cannot_give_are_refused() {
    let tree = TestTree::new();
    let group = tree.open("cpu-only", with(&[Controller::Cpu]));
    for events in [Events::OOM, Events::PIDS_MAX] {
        let err = group.watch(events).unwrap_err();
        assert!(
            matches!(err, Error::ControllerUnavailable { .. }),
            "{events:?}: {err}"
        );
    }
    assert!(matches!(
        group.watch(Events::NONE),
        Err(Error::InvalidArgument(_))
    ));
    group.delete().unwrap();
}

#[test]
fn a_watch_on_a_group_removed_meanwhile_wakes_and_reports_not_found() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("removed", with(&[Controller::Memory, Controller::Pids])));
    let sleeper = Proc::sleeper_in(&group);
    while group.pids().unwrap().is_empty() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut watch = group
        .watch(Events::EMPTY | Events::OOM | Events::PIDS_MAX)
        .unwrap();
    assert_eq!(watch.read().unwrap(), Events::NONE);
    group.delete().unwrap();
    let deadline = Instant::now() + PATIENCE;
    let outcome = loop {
        match watch.wait(Some(Duration::from_millis(500))) {
            Err(err) => break Err(err),
            Ok(_) if Instant::now() > deadline => break Ok(()),
            Ok(_) => {}
        }
    };
    assert!(
        matches!(outcome, Err(Error::NotFound { .. })),
        "{outcome:?}"
    );
    drop(sleeper);
}
