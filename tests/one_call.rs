// SPDX-License-Identifier: MIT OR Apache-2.0
//! The one-call path (`Cgroup::open_at`, the C API's `cgroups_open`): a process-wide cached
//! context per base and user, which must follow what changes underneath it: the mount table,
//! a base directory made again, a user directory made again.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use cgroups::{Cgroup, Controller, Controllers, Selection, User, Version};
use common::{Proc, TestTree};

const REMOUNT_PAIRS: &str = "CGROUPS_TEST_REMOUNT_PAIRS";
const REMOUNT_BASE: &str = "CGROUPS_TEST_REMOUNT_BASE";

fn user_dir() -> String {
    User::resolve(None).unwrap().dir
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program).args(args).status().unwrap();
    assert!(status.success(), "{program} {args:?}: {status}");
}

#[test]
fn a_mount_change_is_picked_up_by_the_next_one_call_open() {
    let tree = TestTree::new();
    let a = cgroups::create_subtree(&tree.layout, "a").unwrap();
    let b = cgroups::create_subtree(&tree.layout, "b").unwrap();
    let pairs: Vec<(PathBuf, PathBuf)> = a
        .hierarchies()
        .iter()
        .zip(b.hierarchies())
        .map(|(a, b)| (a.dir.clone(), b.dir.clone()))
        .collect();
    let text: Vec<String> = pairs
        .iter()
        .map(|(a, b)| format!("{}\t{}", a.display(), b.display()))
        .collect();
    let base = std::env::temp_dir().join(format!("cgroups-test-remount-{}", std::process::id()));
    fs::create_dir_all(&base).unwrap();
    let status = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "remount_inside_a_private_mount_namespace",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(REMOUNT_PAIRS, text.join("\n"))
        .env(REMOUNT_BASE, &base)
        .status()
        .unwrap();
    let _ = fs::remove_dir(&base);
    assert!(status.success(), "the child in its mount namespace failed");
    // A hierarchy whose `a` offers no controller (a cgroup2 tree without one enabled in the
    // prefix) is not used; every other one has `before` in `a` and `after` in `b`.
    let user = user_dir();
    let mut used = 0;
    for (a, b) in &pairs {
        let before = a.join(&user).join("before").exists();
        used += usize::from(before);
        assert_eq!(
            b.join(&user).join("after").exists(),
            before,
            "the open after the remount did not use the new mount in {}",
            b.display()
        );
        assert!(
            !a.join(&user).join("after").exists(),
            "the open after the remount used the old mount {}",
            a.display()
        );
    }
    assert!(used > 0, "no hierarchy was used");
}

/// The child of the test above: a tmpfs at the base with each hierarchy's `a` bind-mounted
/// below it; one open; then `b` mounted in place of `a`; another open.
#[test]
#[ignore = "run by a_mount_change_is_picked_up_by_the_next_one_call_open in a mount namespace"]
fn remount_inside_a_private_mount_namespace() {
    let base = PathBuf::from(std::env::var_os(REMOUNT_BASE).expect("run by the parent test"));
    let pairs: Vec<(String, String)> = std::env::var(REMOUNT_PAIRS)
        .unwrap()
        .lines()
        .map(|line| {
            let (a, b) = line.split_once('\t').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect();
    let base_text = base.display().to_string();
    run("mount", &["-t", "tmpfs", "cgroups-test", &base_text]);
    for (i, (a, _)) in pairs.iter().enumerate() {
        let mount_point = base.join(format!("h{i}"));
        fs::create_dir(&mount_point).unwrap();
        run(
            "mount",
            &["-o", "bind", a, &mount_point.display().to_string()],
        );
    }
    let before = Cgroup::open_at(Some(&base), "before", Selection::All, None).unwrap();
    assert!(before.paths().all(|p| p.starts_with(&base)));
    for (i, (_, b)) in pairs.iter().enumerate() {
        let mount_point = base.join(format!("h{i}")).display().to_string();
        run("umount", &["-l", &mount_point]);
        run("mount", &["-o", "bind", b, &mount_point]);
    }
    let after = Cgroup::open_at(Some(&base), "after", Selection::All, None).unwrap();
    assert!(after.paths().all(|p| p.starts_with(&base)));
}

/// The hierarchy serving `controller` in the test tree: its directory and version.
fn hierarchy_of(tree: &TestTree, controller: Controller) -> (PathBuf, Version) {
    let h = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(controller))
        .unwrap();
    (h.dir.clone(), h.version)
}

/// Removes the (empty) directory `dir` and the ones below it, deepest first.
fn remove_dirs(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            remove_dirs(&entry.path());
        }
    }
    fs::remove_dir(dir).unwrap();
}

#[test]
fn a_base_removed_and_made_again_serves_the_next_one_call_open() {
    let tree = TestTree::new();
    let (dir, _) = hierarchy_of(&tree, Controller::Cpu);
    let base = dir.join("again");
    fs::create_dir(&base).unwrap();
    let cpu = Selection::Only(Controllers::from(Controller::Cpu));
    let first = Cgroup::open_at(Some(&base), "first", cpu, None).unwrap();
    first.delete().unwrap();
    remove_dirs(&base);
    fs::create_dir(&base).unwrap();
    let second = Cgroup::open_at(Some(&base), "second", cpu, None).unwrap();
    assert!(base.join(user_dir()).join("second").exists());
    second.delete().unwrap();
}

#[test]
fn a_user_directory_made_again_takes_the_processes_removed_from_groups() {
    let tree = TestTree::new();
    let (base, version) = hierarchy_of(&tree, Controller::Cpu);
    let cpu = Selection::Only(Controllers::from(Controller::Cpu));
    let user = base.join(user_dir());
    let user_group = match version {
        Version::V1 => user.clone(),
        Version::V2 => user.join(cgroups::name::USER_LEAF),
    };
    let sleeper = Proc::sleeper();
    let group = Arc::new(Cgroup::open_at(Some(&base), "first", cpu, None).unwrap());
    group.add(sleeper.pid()).unwrap();
    group.remove(sleeper.pid()).unwrap();
    assert!(common::procs_of(&user_group).contains(&sleeper.pid()));
    group.delete().unwrap();
    // Out of the user's directory (to the top, where the test tree's cleanup puts strays), and
    // the directory made again by the next open.
    fs::write(
        base.parent().unwrap().join("cgroup.procs"),
        sleeper.pid().to_string(),
    )
    .unwrap();
    remove_dirs(&user);
    let again = Cgroup::open_at(Some(&base), "second", cpu, None).unwrap();
    again.add(sleeper.pid()).unwrap();
    again.remove(sleeper.pid()).unwrap();
    assert!(common::procs_of(&user_group).contains(&sleeper.pid()));
    again.delete().unwrap();
    fs::write(
        base.parent().unwrap().join("cgroup.procs"),
        sleeper.pid().to_string(),
    )
    .unwrap();
}
