// SPDX-License-Identifier: MIT OR Apache-2.0
//! cgroup v2 rules: controllers are enabled only where missing and only as many as needed, and
//! the no-internal-process rule is explained. Skipped (with a message) where no cgroup2 tree
//! serves CPU and memory, such as this project's hybrid development host; the VM matrix
//! (tests/vm) runs them on pure v2.

mod common;

use std::fs;
use std::path::Path;

use cgroups::{Cgroup, Controller, Controllers, Error, Selection, Version};
use common::{skip, Proc, TestTree};

fn unified(tree: &TestTree) -> Option<&Path> {
    let h = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.version == Version::V2)?;
    let needed = Controllers::from(Controller::Cpu).with(Controller::Memory);
    (h.controllers.intersection(needed) == needed).then_some(h.dir.as_path())
}

fn subtree_control(dir: &Path) -> Vec<String> {
    let text = fs::read_to_string(dir.join("cgroup.subtree_control")).unwrap();
    let mut names: Vec<String> = text.split_whitespace().map(String::from).collect();
    names.sort();
    names
}

#[test]
fn only_the_missing_controllers_are_enabled_on_each_level() {
    let tree = TestTree::new();
    let Some(prefix) = unified(&tree) else {
        return skip("needs a cgroup2 tree serving cpu and memory");
    };
    let cpu = tree.open("needs-cpu", Selection::Only(Controller::Cpu.into()));
    let user_dir = prefix.join(cpu.user().unwrap());
    assert_eq!(subtree_control(prefix), ["cpu"]);
    assert_eq!(subtree_control(&user_dir), ["cpu"]);
    assert_eq!(
        subtree_control(&user_dir.join("needs-cpu")),
        Vec::<String>::new()
    );
    let memory = tree.open("needs-memory", Selection::Only(Controller::Memory.into()));
    assert_eq!(subtree_control(prefix), ["cpu", "memory"]);
    assert_eq!(subtree_control(&user_dir), ["cpu", "memory"]);
    memory
        .set_memory_limit(100, cgroups::Unit::Megabytes)
        .unwrap();
    cpu.set_cpu_share_percent(30.0).unwrap();
    cpu.delete().unwrap();
    memory.delete().unwrap();
}

#[test]
fn processes_removed_from_a_group_go_to_the_users_leaf() {
    let tree = TestTree::new();
    let Some(prefix) = unified(&tree) else {
        return skip("needs a cgroup2 tree serving cpu and memory");
    };
    let group = tree.open("leafy", Selection::Only(Controller::Cpu.into()));
    let sleeper = Proc::sleeper();
    group.add(sleeper.pid()).unwrap();
    group.remove(sleeper.pid()).unwrap();
    let leaf = prefix
        .join(group.user().unwrap())
        .join(cgroups::name::USER_LEAF);
    assert!(common::procs_of(&leaf).contains(&sleeper.pid()));
    assert!(
        common::procs_of(&prefix.join(group.user().unwrap())).is_empty(),
        "the user's directory must stay free of processes"
    );
    group.delete().unwrap();
}

#[test]
fn a_parent_holding_processes_cannot_get_controllers_and_the_error_says_why() {
    let tree = TestTree::new();
    let Some(_) = unified(&tree) else {
        return skip("needs a cgroup2 tree serving cpu and memory");
    };
    let parent = tree.open("busy-parent", Selection::Only(Controller::Cpu.into()));
    let sleeper = Proc::sleeper();
    parent.add(sleeper.pid()).unwrap();
    let err = Cgroup::open(
        &tree.layout,
        "busy-parent/child",
        Selection::Only(Controller::Memory.into()),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Busy { reason, .. } if reason.contains("processes")),
        "{err}"
    );
    assert!(
        !parent.paths().next().unwrap().join("child").exists(),
        "the failed open must remove what it created"
    );
    parent.delete().unwrap();
}

#[test]
fn a_controller_disabled_behind_a_contexts_back_is_enabled_again_on_first_use() {
    let tree = TestTree::new();
    let Some(prefix) = unified(&tree) else {
        return skip("needs a cgroup2 tree serving cpu and memory");
    };
    let context = cgroups::Context::new(tree.layout.clone(), None).unwrap();
    let cpu = Selection::Only(Controller::Cpu.into());
    context.open("first", cpu).unwrap().delete().unwrap();
    let user_dir = prefix.join(context.user().unwrap());
    fs::write(user_dir.join("cgroup.subtree_control"), "-cpu").unwrap();
    let second = context.open("second", cpu).unwrap();
    second.set_cpu_share_percent(40.0).unwrap();
    assert_eq!(second.cpu_share_percent().unwrap(), 40.0);
    assert_eq!(subtree_control(&user_dir), ["cpu"]);
    second.delete().unwrap();
}
