// SPDX-License-Identifier: MIT OR Apache-2.0
//! Opening, membership and deletion of groups on this host's real cgroup filesystem.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cgroups::{Cgroup, Controller, Controllers, Error, Selection};
use common::{procs_of, Proc, TestTree};

fn cpu_and_memory() -> Selection {
    Selection::Only(Controllers::from(Controller::Cpu).with(Controller::Memory))
}

#[test]
fn open_creates_the_group_under_the_users_subtree_in_each_hierarchy() {
    let tree = TestTree::new();
    let group = tree.open("charlie", cpu_and_memory());
    let user = group.user().unwrap().to_string();
    let paths: Vec<_> = group.paths().map(|p| p.to_path_buf()).collect();
    assert!(!paths.is_empty());
    for path in &paths {
        assert!(path.is_dir(), "{} missing", path.display());
        assert!(
            path.ends_with(format!("{user}/charlie")),
            "{}",
            path.display()
        );
    }
    assert!(
        group.controllers().contains(Controller::Cpu)
            && group.controllers().contains(Controller::Memory)
    );
    group.delete().unwrap();
    assert!(paths.iter().all(|p| !p.exists()));
}

#[test]
fn opening_with_all_loads_an_existing_group_where_it_exists() {
    let tree = TestTree::new();
    let only_cpu = tree.open("loaded", Selection::Only(Controller::Cpu.into()));
    let loaded = tree.open("loaded", Selection::All);
    assert_eq!(
        loaded.paths().collect::<Vec<_>>(),
        only_cpu.paths().collect::<Vec<_>>()
    );
    let memory = loaded.set_memory_limit(1, cgroups::Unit::Megabytes);
    let cpu_tree = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(Controller::Cpu));
    if cpu_tree.unwrap().controllers.contains(Controller::Memory) {
        // v2: the one tree where the group exists serves memory too.
        memory.unwrap();
    } else {
        assert!(
            matches!(memory, Err(Error::ControllerUnavailable { .. })),
            "{memory:?}"
        );
    }
    loaded.delete().unwrap();
}

#[test]
fn opening_with_all_creates_in_every_hierarchy_that_serves_a_controller() {
    let tree = TestTree::new();
    let group = tree.open("everything", Selection::All);
    // Every hierarchy of the layout serves a controller, or is the cpuacct companion of cpu.
    assert_eq!(group.paths().count(), tree.layout.hierarchies().len());
    assert_eq!(group.controllers(), tree.layout.controllers());
    group.delete().unwrap();
}

#[test]
fn nested_names_create_each_level() {
    let tree = TestTree::new();
    let group = tree.open("jobs/42/build", cpu_and_memory());
    let sleeper = Proc::sleeper();
    group.add(sleeper.pid()).unwrap();
    assert_eq!(group.pids().unwrap(), vec![sleeper.pid()]);
    group.delete().unwrap();
    let parent = tree.open("jobs/42", cpu_and_memory());
    parent.delete().unwrap();
}

#[test]
fn add_moves_the_whole_process_and_adding_twice_is_fine() {
    let tree = TestTree::new();
    let group = tree.open("adder", cpu_and_memory());
    let sleeper = Proc::sleeper();
    group.add(sleeper.pid()).unwrap();
    group.add(sleeper.pid()).unwrap();
    for path in group.paths() {
        assert_eq!(procs_of(path), vec![sleeper.pid()]);
    }
    assert_eq!(group.pids().unwrap(), vec![sleeper.pid()]);
    group.delete().unwrap();
}

#[test]
fn adding_dead_zero_or_negative_pids_is_refused_and_changes_nothing() {
    let tree = TestTree::new();
    let group = tree.open("bad-pids", cpu_and_memory());
    let dead = {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        child.id() as i32
    };
    assert!(matches!(group.add(dead), Err(Error::NoSuchProcess { pid, .. }) if pid == dead));
    assert!(matches!(group.add(0), Err(Error::InvalidArgument(_))));
    assert!(matches!(group.add(-1), Err(Error::InvalidArgument(_))));
    assert!(matches!(
        group.remove(dead),
        Err(Error::NoSuchProcess { .. })
    ));
    assert!(group.pids().unwrap().is_empty());
    group.delete().unwrap();
}

#[test]
fn kernel_threads_cannot_be_added() {
    let tree = TestTree::new();
    let group = tree.open("kthread", cpu_and_memory());
    let err = group.add(2).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("kernel thread")),
        "{err}"
    );
    group.delete().unwrap();
}

#[test]
fn remove_moves_the_process_back_to_the_users_group() {
    let tree = TestTree::new();
    let group = tree.open("remover", cpu_and_memory());
    let sleeper = Proc::sleeper();
    group.add(sleeper.pid()).unwrap();
    group.remove(sleeper.pid()).unwrap();
    assert!(group.pids().unwrap().is_empty());
    for path in group.paths() {
        assert!(procs_of(&tree.user_group_of(path)).contains(&sleeper.pid()));
    }
    group.delete().unwrap();
}

#[test]
fn removing_a_pid_not_in_the_group_is_not_an_error() {
    let tree = TestTree::new();
    let group = tree.open("not-member", cpu_and_memory());
    let sleeper = Proc::sleeper();
    let before = std::fs::read_to_string(format!("/proc/{}/cgroup", sleeper.pid())).unwrap();
    group.remove(sleeper.pid()).unwrap();
    assert_eq!(
        std::fs::read_to_string(format!("/proc/{}/cgroup", sleeper.pid())).unwrap(),
        before
    );
    group.delete().unwrap();
}

#[test]
fn attach_self_from_a_fork_child_puts_the_child_in_the_group() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("attach", cpu_and_memory()));
    let children: Vec<Proc> = (0..3).map(|_| Proc::sleeper_in(&group)).collect();
    let mut expected: Vec<i32> = children.iter().map(Proc::pid).collect();
    expected.sort_unstable();
    assert_eq!(group.pids().unwrap(), expected);
    group.delete().unwrap();
}

#[test]
fn delete_moves_processes_back_and_never_kills_them() {
    let tree = TestTree::new();
    let group = tree.open("deleter", cpu_and_memory());
    let sleepers: Vec<Proc> = (0..20).map(|_| Proc::sleeper()).collect();
    for sleeper in &sleepers {
        group.add(sleeper.pid()).unwrap();
    }
    let paths: Vec<_> = group.paths().map(|p| p.to_path_buf()).collect();
    group.delete().unwrap();
    for path in &paths {
        assert!(!path.exists());
        let back = procs_of(&tree.user_group_of(path));
        for sleeper in &sleepers {
            assert!(
                back.contains(&sleeper.pid()),
                "pid {} not back in the user's group",
                sleeper.pid()
            );
            assert!(
                std::path::Path::new(&format!("/proc/{}", sleeper.pid())).exists(),
                "pid {} was killed",
                sleeper.pid()
            );
        }
    }
}

#[test]
fn delete_empties_a_group_whose_members_keep_forking() {
    let tree = TestTree::new();
    let group = tree.open("forkers", cpu_and_memory());
    let forkers: Vec<Proc> = (0..8).map(|_| Proc::forker()).collect();
    for forker in &forkers {
        group.add(forker.pid()).unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    let paths: Vec<_> = group.paths().map(|p| p.to_path_buf()).collect();
    group.delete().unwrap();
    assert!(paths.iter().all(|p| !p.exists()));
    for forker in &forkers {
        assert!(std::path::Path::new(&format!("/proc/{}", forker.pid())).exists());
    }
}

#[test]
fn delete_refuses_a_group_with_child_groups_and_changes_nothing() {
    let tree = TestTree::new();
    let parent = tree.open("parent", cpu_and_memory());
    let child = tree.open("parent/child", cpu_and_memory());
    let err = parent.delete().unwrap_err();
    assert!(
        matches!(&err, Error::Busy { reason, .. } if reason.contains("child")),
        "{err}"
    );
    assert!(parent.paths().all(|p| p.is_dir()));
    child.delete().unwrap();
    parent.delete().unwrap();
}

#[test]
fn every_call_on_a_group_deleted_behind_the_handle_reports_not_found() {
    let tree = TestTree::new();
    let group = tree.open("vanishing", cpu_and_memory());
    tree.open("vanishing", cpu_and_memory()).delete().unwrap();
    let sleeper = Proc::sleeper();
    let not_found = |result: Result<(), Error>, call: &str| {
        assert!(
            matches!(result, Err(Error::NotFound { .. })),
            "{call}: {result:?}"
        )
    };
    not_found(group.add(sleeper.pid()), "add");
    not_found(group.remove(sleeper.pid()), "remove");
    not_found(group.pids().map(drop), "pids");
    not_found(group.set_cpu_share_percent(50.0), "set_cpu_limit");
    not_found(group.reset_cpu_share(), "reset_cpu_limit");
    not_found(group.cpu_share_percent().map(drop), "cpu_limit");
    not_found(
        group.set_memory_limit(1, cgroups::Unit::Megabytes),
        "set_memory_limit",
    );
    not_found(group.reset_memory_limit(), "reset_memory_limit");
    not_found(group.memory_limit_bytes().map(drop), "memory_limit");
    not_found(group.delete(), "delete");
    assert_eq!(
        group.attach_self().unwrap_err().raw_os_error(),
        Some(libc::ENOENT)
    );
}

#[test]
fn bad_names_are_refused_and_create_nothing() {
    let tree = TestTree::new();
    for bad in [
        "",
        ".",
        "..",
        "a/../../b",
        "/abs",
        "a\nb",
        "tasks",
        "cgroup.procs",
        "cpu.max",
        "notify_on_release",
        &"x".repeat(256),
    ] {
        let err = Cgroup::open(&tree.layout, bad, Selection::All, None).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad:?}: {err}");
    }
    for hierarchy in tree.layout.hierarchies() {
        let entries = std::fs::read_dir(&hierarchy.dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_type().unwrap().is_dir())
            .count();
        assert_eq!(
            entries,
            0,
            "something was created in {}",
            hierarchy.dir.display()
        );
    }
}

#[test]
fn unknown_users_and_controllers_are_refused() {
    let tree = TestTree::new();
    let err = Cgroup::open(
        &tree.layout,
        "x",
        Selection::All,
        Some("no-such-user-cgroups-rs"),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NoSuchUser(_)), "{err}");
    let err =
        Cgroup::open(&tree.layout, "x", Selection::Only(Controllers::NONE), None).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[test]
fn a_base_that_is_not_a_cgroup_filesystem_is_refused() {
    for base in ["/tmp", "/proc", "relative/path"] {
        let err = cgroups::Layout::at(base).unwrap_err();
        assert!(
            matches!(err, Error::NotMounted { .. } | Error::InvalidArgument(_)),
            "{base}: {err}"
        );
    }
}

#[test]
fn the_default_base_is_found_in_mountinfo() {
    let tree = TestTree::new();
    assert!(!tree.host.hierarchies().is_empty());
    let explicit = cgroups::Layout::at("/sys/fs/cgroup").unwrap();
    assert_eq!(explicit.kind(), tree.kind());
}

#[test]
fn a_context_opens_many_groups_in_its_users_subtree() {
    let tree = TestTree::new();
    let context = cgroups::Context::new(tree.layout.clone(), None).unwrap();
    let groups: Vec<Cgroup> = (0..5)
        .map(|i| context.open(&format!("ctx-{i}"), cpu_and_memory()).unwrap())
        .collect();
    for group in &groups {
        assert_eq!(group.user(), context.user());
        assert!(group.paths().all(|p| p.is_dir()));
        group.delete().unwrap();
    }
    let err =
        cgroups::Context::new(tree.layout.clone(), Some("no-such-user-cgroups-rs")).unwrap_err();
    assert!(matches!(err, Error::NoSuchUser(_)), "{err}");
}

#[test]
fn each_controller_is_served_by_one_hierarchy_and_all_spans_every_version_that_serves_one() {
    let tree = TestTree::new();
    for &controller in Controller::ALL {
        let serving = tree
            .layout
            .hierarchies()
            .iter()
            .filter(|h| h.controllers.contains(controller))
            .count();
        assert!(
            serving <= 1,
            "{controller} is served by {serving} hierarchies"
        );
    }
    let versions: Vec<cgroups::Version> = tree
        .layout
        .hierarchies()
        .iter()
        .map(|h| h.version)
        .collect();
    let group = tree.open("spanning", Selection::All);
    for version in [cgroups::Version::V1, cgroups::Version::V2] {
        if versions.contains(&version) {
            let dir = tree
                .layout
                .hierarchies()
                .iter()
                .find(|h| h.version == version)
                .unwrap()
                .dir
                .clone();
            assert!(
                group.paths().any(|p| p.starts_with(&dir)),
                "no {version:?} directory for an ALL group"
            );
        }
    }
    group.delete().unwrap();
}
