// SPDX-License-Identifier: MIT OR Apache-2.0
//! `Context::new_scope` (and so `cgroups_context_new_scope`): a context at a transient scope that
//! systemd makes on request. Where PID 1 is not systemd it is refused and nothing moves; in the
//! `systemd` mode of tests/vm root asks the system manager, and the user named by
//! `CGROUPS_TEST_SYSTEMD_USER` (a user with linger) asks its own manager.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use cgroups::{Context, Error, Layout, ScopeManager, ScopeOptions, Selection};
use common::{run_test_as, skip, Proc};

const SYSTEMD_USER_ENV: &str = "CGROUPS_TEST_SYSTEMD_USER";

fn booted_with_systemd() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

fn cgroup2_of(pid: i32) -> String {
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("0::"))
        .unwrap_or_default()
        .to_owned()
}

/// Stops a scope on drop (and with it the test's processes inside).
struct StopOnDrop(&'static str, String);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let mut command = Command::new("systemctl");
        if self.0 == "user" {
            command.arg("--user");
        }
        let _ = command.args(["stop", "--quiet", &self.1]).status();
    }
}

#[test]
fn bad_scope_names_are_refused_before_the_manager_is_asked() {
    let layout = Layout::discover().unwrap();
    for unit in ["no-suffix", "a/b.scope", ".scope"] {
        let err = Context::new_scope(&layout, &ScopeOptions::new().unit(unit)).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{unit}: {err}");
    }
    let err = Context::new_scope(&layout, &ScopeOptions::new().slice("x.scope")).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[test]
fn without_systemd_as_pid_1_a_scope_is_unsupported_and_nothing_moves() {
    if booted_with_systemd() {
        skip("PID 1 is systemd here");
        return;
    }
    let child = Proc::sleeper();
    let before = fs::read_to_string(format!("/proc/{}/cgroup", child.pid())).unwrap();
    let options = ScopeOptions::new().pid(child.pid() as u32);
    let err = Context::new_scope(&Layout::discover().unwrap(), &options).unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported(m) if m.contains("PID 1")),
        "{err}"
    );
    let after = fs::read_to_string(format!("/proc/{}/cgroup", child.pid())).unwrap();
    assert_eq!(before, after);
}

/// Runs the scope's cycle: a context at a new scope holding a child, a group below it, the child
/// moved in and back out to the scope's leaf, the group deleted.
fn scope_cycle(manager: ScopeManager, label: &'static str) {
    let child = Proc::sleeper();
    let unit = format!("cgroups-test-{}-{label}.scope", std::process::id());
    let options = ScopeOptions::new()
        .unit(&unit)
        .pid(child.pid() as u32)
        .manager(manager);
    let context = Context::new_scope(&Layout::discover().unwrap(), &options).unwrap();
    let _stop = StopOnDrop(label, unit.clone());
    let scope = cgroup2_of(child.pid());
    assert!(
        scope.ends_with(&format!("{unit}/cgroups.user")),
        "the scope's process waits in its leaf: {scope}"
    );
    let offered = fs::read_to_string(format!(
        "/sys/fs/cgroup{}/cgroup.controllers",
        scope.trim_end_matches("/cgroups.user")
    ))
    .unwrap();
    let group = context.open("job", Selection::All).unwrap();
    for controller in group.controllers().iter().filter_map(|c| c.v2_name()) {
        assert!(
            offered.contains(controller),
            "{controller} was not delegated: {offered}"
        );
    }
    group.add(child.pid()).unwrap();
    assert_eq!(group.pids().unwrap(), [child.pid()]);
    assert!(cgroup2_of(child.pid()).ends_with(&format!("{unit}/job")));
    group.remove(child.pid()).unwrap();
    assert!(cgroup2_of(child.pid()).ends_with(&format!("{unit}/cgroups.user")));
    group.delete().unwrap();
}

#[test]
fn root_gets_a_context_at_a_system_scope() {
    if !booted_with_systemd() {
        skip("PID 1 is not systemd");
        return;
    }
    scope_cycle(ScopeManager::System, "system");
}

#[test]
fn a_user_gets_a_context_at_a_scope_of_its_own_manager() {
    if !booted_with_systemd() {
        skip("PID 1 is not systemd");
        return;
    }
    let Ok(name) = std::env::var(SYSTEMD_USER_ENV) else {
        skip(&format!("{SYSTEMD_USER_ENV} names no user with linger"));
        return;
    };
    let user = nix::unistd::User::from_name(&name).unwrap().unwrap();
    let uid = user.uid.as_raw();
    let started = Command::new("systemctl")
        .args(["start", &format!("user@{uid}.service")])
        .status()
        .unwrap();
    assert!(started.success());
    let output = run_test_as(
        &user,
        "user_side_gets_a_context_at_its_scope",
        &[],
        &[("XDG_RUNTIME_DIR", format!("/run/user/{uid}"))],
    );
    assert!(output.status.success(), "the user side failed");
}

#[test]
#[ignore = "runs as the user with linger, started by a_user_gets_a_context_at_a_scope_of_its_own_manager"]
fn user_side_gets_a_context_at_its_scope() {
    scope_cycle(ScopeManager::User, "user");
    command_runs_in_a_scope();
}

/// `cgroups run` puts its command in a group below a scope of its own, and leaves nothing.
fn command_runs_in_a_scope() {
    let output = Command::new(env!("CARGO_BIN_EXE_cgroups"))
        .args(["run", "--memory", "64M", "--", "cat", "/proc/self/cgroup"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    let own = text
        .lines()
        .find_map(|line| line.strip_prefix("0::"))
        .unwrap_or_default();
    let (scope, group) = own.rsplit_once('/').unwrap_or_default();
    assert!(
        scope.ends_with(".scope") && group.starts_with("run-"),
        "{own}"
    );
    let gone = !Path::new(&format!("/sys/fs/cgroup{own}")).exists();
    assert!(gone, "the group is deleted after the command");
}

#[test]
fn cgroups_run_uses_a_scope_where_pid_1_is_systemd() {
    if !booted_with_systemd() {
        skip("PID 1 is not systemd");
        return;
    }
    command_runs_in_a_scope();
}
