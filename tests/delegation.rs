// SPDX-License-Identifier: MIT OR Apache-2.0
//! Non-root use: `user_cgroups` prepares a user's subtree; the user then manages their own groups
//! without root, and what the kernel forbids is refused with the reason. The root-side tests
//! start the user-side tests (ignored otherwise) as the unprivileged test user
//! (`CGROUPS_TEST_USER`, default `nobody`).

mod common;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use cgroups::{Cgroup, Context, Controller, Controllers, Error, Layout, Selection, Unit, Version};
use common::{procs_of, run_on_test_base, run_test_as, test_user, Proc, TestTree};

const PREFIX_ENV: &str = "CGROUPS_TEST_PREFIX";
const OUTSIDER_ENV: &str = "CGROUPS_TEST_OUTSIDER";

fn cpu_and_memory() -> Selection {
    Selection::Only(Controllers::from(Controller::Cpu).with(Controller::Memory))
}

fn owner(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .uid()
}

fn prefix_of(tree: &TestTree) -> String {
    let dir = &tree.layout.hierarchies()[0].dir;
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn setup_hands_the_users_directory_over_and_keeps_resource_files_roots() {
    let tree = TestTree::new();
    let user = test_user();
    cgroups::delegate_subtree(&tree.layout, &user.name).unwrap();
    cgroups::delegate_subtree(&tree.layout, &user.name).unwrap();
    let uid = user.uid.as_raw();
    for h in tree.layout.hierarchies() {
        let dir = h.dir.join(&user.name);
        assert_eq!(owner(&dir), uid, "{}", dir.display());
        let (delegated, resource): (&[&str], &str) = match h.version {
            Version::V1 => (&["cgroup.procs", "tasks"], "notify_on_release"),
            Version::V2 => (
                &["cgroup.procs", "cgroup.threads", "cgroup.subtree_control"],
                "cgroup.max.depth",
            ),
        };
        for file in delegated {
            assert_eq!(owner(&dir.join(file)), uid, "{file} in {}", dir.display());
        }
        assert_eq!(owner(&dir.join(resource)), 0, "{resource} must stay root's");
        if h.controllers.contains(Controller::Cpu) {
            let cpu = if h.version == Version::V1 {
                "cpu.shares"
            } else {
                "cpu.weight"
            };
            assert_eq!(owner(&dir.join(cpu)), 0, "{cpu} must stay root's");
        }
        if h.version == Version::V2 {
            let leaf = dir.join(cgroups::name::USER_LEAF);
            assert_eq!(owner(&leaf), uid);
            assert_eq!(owner(&leaf.join("cgroup.procs")), uid);
        }
    }
}

#[test]
fn setup_refuses_unknown_users_and_non_root_callers() {
    let tree = TestTree::new();
    let err = cgroups::delegate_subtree(&tree.layout, "no-such-user-cgroups-rs").unwrap_err();
    assert!(matches!(err, Error::NoSuchUser(_)), "{err}");
    let output = run_test_as(
        &test_user(),
        "user_side_cannot_run_setup",
        &[],
        &[(PREFIX_ENV, prefix_of(&tree))],
    );
    assert!(output.status.success(), "user side failed");
}

#[test]
#[ignore = "runs as the unprivileged user, started by setup_refuses_unknown_users_and_non_root_callers"]
fn user_side_cannot_run_setup() {
    let layout = user_layout();
    let err = cgroups::delegate_subtree(&layout, "nobody").unwrap_err();
    assert!(
        matches!(&err, Error::Permission { hint, .. } if hint.contains("root")),
        "{err}"
    );
}

#[test]
fn the_user_cgroups_command_sets_up_and_reports_its_errors() {
    let tree = TestTree::new();
    let command = env!("CARGO_BIN_EXE_user_cgroups");
    let status = |args: &[&str]| Command::new(command).args(args).output().unwrap();
    assert_eq!(status(&["--help"]).status.code(), Some(0));
    assert_eq!(status(&[]).status.code(), Some(2));
    assert_eq!(status(&["--bogus", "x"]).status.code(), Some(2));
    assert_eq!(status(&["a", "b"]).status.code(), Some(2));
    assert_eq!(status(&["--base"]).status.code(), Some(2));
    let unknown = status(&["--base", "/sys/fs/cgroup", "no-such-user-cgroups-rs"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no such user"));
    assert_eq!(status(&["--base", "/tmp", "root"]).status.code(), Some(1));
    let user = test_user();
    let mut as_user = Command::new(command);
    let uid = user.uid.as_raw();
    // SAFETY: setuid is async-signal-safe.
    unsafe {
        as_user
            .args(["--base", "/sys/fs/cgroup", "root"])
            .pre_exec(move || {
                if libc::setuid(uid) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            })
    };
    let refused = as_user.output().unwrap();
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("root"));
    for _ in 0..2 {
        let output = run_on_test_base(&tree, &[command, user.name.as_str(), "--base"]);
        assert!(output.status.success(), "user_cgroups failed");
    }
    for h in tree.layout.hierarchies() {
        assert_eq!(owner(&h.dir.join(&user.name)), uid);
    }
}

/// The layout of the test prefix the root side prepared, seen by the user side.
fn user_layout() -> Layout {
    let prefix = std::env::var(PREFIX_ENV).expect("started by the root-side test");
    Layout::discover().unwrap().subtree(&prefix).unwrap()
}

/// The `cgroup.procs` of the user's own group in every hierarchy (v2: the user's leaf), where
/// a login session of the user would live.
fn user_session(tree: &TestTree, user: &str) -> Vec<PathBuf> {
    let dir = |h: &cgroups::Hierarchy| match h.version {
        Version::V1 => h.dir.join(user),
        Version::V2 => h.dir.join(user).join(cgroups::name::USER_LEAF),
    };
    tree.layout
        .hierarchies()
        .iter()
        .map(|h| dir(h).join("cgroup.procs"))
        .collect()
}

#[test]
fn a_prepared_user_manages_their_own_groups_without_root() {
    let tree = TestTree::new();
    let user = test_user();
    cgroups::delegate_subtree(&tree.layout, &user.name).unwrap();
    // A process of the user that lives outside the user's subtree.
    let outsider = {
        let (uid, gid) = (user.uid.as_raw(), user.gid.as_raw());
        let mut command = Command::new("sleep");
        command.arg("600");
        // SAFETY: setgid/setuid are async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                if libc::setgid(gid) == 0 && libc::setuid(uid) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            })
        };
        Proc::spawn(&mut command)
    };
    let env = [
        (PREFIX_ENV, prefix_of(&tree)),
        (OUTSIDER_ENV, outsider.pid().to_string()),
    ];
    let output = run_test_as(
        &user,
        "user_side_manages_own_groups",
        &user_session(&tree, &user.name),
        &env,
    );
    assert!(output.status.success(), "user side failed");
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}

#[test]
#[ignore = "runs as the unprivileged user, started by a_prepared_user_manages_their_own_groups_without_root"]
fn user_side_manages_own_groups() {
    let layout = user_layout();
    let v2 = layout
        .hierarchies()
        .iter()
        .any(|h| h.version == Version::V2 && h.controllers.contains(Controller::Cpu));
    let group = Arc::new(Cgroup::open(&layout, "mine", cpu_and_memory(), None).unwrap());
    group.set_cpu_share_percent(50.0).unwrap();
    group.set_memory_limit(100, Unit::Megabytes).unwrap();
    assert_eq!(group.cpu_share_percent().unwrap(), 50.0);
    assert_eq!(group.memory_limit_bytes().unwrap(), Some(100 << 20));

    let started_inside = Proc::sleeper_in(&group);
    let own = Proc::sleeper();
    group.add(own.pid()).unwrap();
    let mut expected = vec![started_inside.pid(), own.pid()];
    expected.sort_unstable();
    assert_eq!(group.pids().unwrap(), expected);
    group.remove(own.pid()).unwrap();
    assert_eq!(group.pids().unwrap(), vec![started_inside.pid()]);

    // Another user's process (init is root's).
    let err = group.add(1).unwrap_err();
    assert!(
        matches!(&err, Error::Permission { hint, .. } if hint.contains("another user")),
        "{err}"
    );

    // The user's own process outside the subtree: v2 forbids it (common ancestor), v1 allows it.
    let outsider: i32 = std::env::var(OUTSIDER_ENV).unwrap().parse().unwrap();
    match group.add(outsider) {
        Err(Error::Permission { hint, .. }) if v2 => {
            assert!(hint.contains("common ancestor"), "{hint}")
        }
        Ok(()) if !v2 => group.remove(outsider).unwrap(),
        other => panic!(
            "adding the outsider on {}: {other:?}",
            if v2 { "v2" } else { "v1" }
        ),
    }

    // Another user's subtree, and the user's own directory's limits, stay out of reach.
    let err = Cgroup::open(&layout, "theirs", cpu_and_memory(), Some("root")).unwrap_err();
    assert!(
        matches!(&err, Error::Permission { hint, .. } if hint.contains("delegate")),
        "{err}"
    );
    assert!(matches!(
        Cgroup::open(&layout, ".", cpu_and_memory(), None),
        Err(Error::InvalidArgument(_))
    ));
    let user_dir = group
        .paths()
        .next()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let limit_file = if v2 { "cpu.weight" } else { "cpu.shares" };
    assert!(
        fs::write(user_dir.join(limit_file), "2").is_err(),
        "the user's own limits must stay root's"
    );

    group.delete().unwrap();
    assert!(group.paths().all(|p| !p.exists()));
    assert!(started_inside.is_alive(), "delete must not kill");
}

#[test]
fn a_delegated_process_manages_groups_below_its_own_cgroup() {
    let tree = TestTree::new();
    let user = test_user();
    cgroups::delegate_subtree(&tree.layout, &user.name).unwrap();
    // The user's directory stands for a cgroup systemd delegated to a service; the service's
    // process starts in it (on v2 not in the leaf: the library must move it there itself).
    let service: Vec<PathBuf> = tree
        .layout
        .hierarchies()
        .iter()
        .map(|h| h.dir.join(&user.name).join("cgroup.procs"))
        .collect();
    let output = run_test_as(&user, "user_side_uses_its_own_cgroup", &service, &[]);
    assert!(output.status.success(), "user side failed");
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
    for h in tree.layout.hierarchies() {
        assert!(
            !h.dir.join(&user.name).join("job").exists(),
            "the user side deletes its group"
        );
    }
}

#[test]
#[ignore = "runs as the unprivileged user, started by a_delegated_process_manages_groups_below_its_own_cgroup"]
fn user_side_uses_its_own_cgroup() {
    let context = Context::new_self(&Layout::discover().unwrap()).unwrap();
    assert_eq!(context.user(), None);
    let own: Vec<PathBuf> = context
        .layout()
        .hierarchies()
        .iter()
        .map(|h| h.dir.clone())
        .collect();
    for (h, dir) in context.layout().hierarchies().iter().zip(&own) {
        if h.version == Version::V2 {
            assert!(
                procs_of(dir).is_empty(),
                "v2: the service's processes moved to the leaf"
            );
            assert!(procs_of(&dir.join(cgroups::name::USER_LEAF))
                .contains(&(std::process::id() as i32)));
        }
    }
    let group = Arc::new(context.open("job", cpu_and_memory()).unwrap());
    for path in group.paths() {
        assert!(
            path.ends_with("job") && own.iter().any(|dir| path.parent() == Some(dir)),
            "{}",
            path.display()
        );
    }
    group.set_cpu_share_percent(30.0).unwrap();
    group.set_memory_limit(64, Unit::Megabytes).unwrap();
    let worker = Proc::sleeper_in(&group);
    let helper = Proc::sleeper();
    group.add(helper.pid()).unwrap();
    group.remove(helper.pid()).unwrap();
    assert_eq!(group.pids().unwrap(), vec![worker.pid()]);
    group.delete().unwrap();
    assert!(worker.is_alive());
}
