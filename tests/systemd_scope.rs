// SPDX-License-Identifier: MIT OR Apache-2.0
//! Transient scopes from systemd (`cgroups::systemd::start_scope`). Where PID 1 is not systemd
//! the request is refused and nothing moves; where it is (the `systemd` mode of tests/vm), root
//! asks the system manager and the user `CGROUPS_TEST_SYSTEMD_USER` (a user with linger) asks
//! its own manager. Scopes are named `cgroups-test-<pid>-…` and stopped on drop.

mod common;

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use cgroups::systemd::{start_scope, Manager, Scope, ScopeError, ScopeRequest};
use common::{run_test_as, skip, Proc};

const SYSTEMD_USER_ENV: &str = "CGROUPS_TEST_SYSTEMD_USER";

fn booted_with_systemd() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

/// The caller's or another process's v2 cgroup, from `/proc/<pid>/cgroup`.
fn cgroup_of(pid: impl std::fmt::Display) -> String {
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).expect("read /proc/PID/cgroup");
    text.lines()
        .find_map(|line| line.strip_prefix("0::"))
        .unwrap_or_else(|| panic!("no cgroup2 line in {text:?}"))
        .to_owned()
}

fn request(unit: Option<&str>, pid: i32, manager: Manager) -> ScopeRequest<'_> {
    ScopeRequest {
        unit,
        slice: None,
        pid: pid as u32,
        manager,
    }
}

/// A unit name of this test run: `cgroups-test-<pid>-<what>.scope`.
fn test_unit(what: &str) -> String {
    format!("cgroups-test-{}-{what}.scope", std::process::id())
}

/// `systemctl show -p PROPERTY --value UNIT` (with `--user` for the user manager).
fn unit_property(manager: Manager, unit: &str, property: &str) -> String {
    let mut command = Command::new("systemctl");
    if manager == Manager::User {
        command.arg("--user");
    }
    let output = command
        .args(["show", "-p", property, "--value", unit])
        .output()
        .expect("run systemctl");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Waits until the manager has forgotten `unit` (it stopped and was collected).
fn assert_unit_disappears(manager: Manager, unit: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let state = unit_property(manager, unit, "LoadState");
        if state == "not-found" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{unit} is still known to the {manager} ({state})"
        );
        sleep(Duration::from_millis(50));
    }
}

/// Stops the scope on drop, so that a failing test leaves no unit behind (stopping kills the
/// test's own processes inside it).
struct StopOnDrop(Manager, String);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let mut command = Command::new("systemctl");
        if self.0 == Manager::User {
            command.arg("--user");
        }
        let _ = command
            .args(["stop", "--quiet", &self.1])
            .stderr(Stdio::null())
            .status();
    }
}

/// Checks what every started scope must be: `pid` is in `scope.cgroup`, which lies below
/// `parent`, the scope is delegated, and its `cgroup.controllers` can be read.
fn assert_delegated_scope(manager: Manager, scope: &Scope, pid: i32, parent: &str) {
    assert!(scope.unit.ends_with(".scope"), "{scope:?}");
    assert_eq!(scope.cgroup, format!("{parent}/{}", scope.unit));
    assert_eq!(cgroup_of(pid), scope.cgroup);
    assert_eq!(unit_property(manager, &scope.unit, "Delegate"), "yes");
    assert_eq!(unit_property(manager, &scope.unit, "ActiveState"), "active");
    let controllers =
        fs::read_to_string(format!("/sys/fs/cgroup{}/cgroup.controllers", scope.cgroup))
            .expect("the scope's cgroup.controllers");
    println!("{} delegates: {}", scope.unit, controllers.trim());
}

fn systemd_as_root(test: &str) -> bool {
    if !booted_with_systemd() {
        skip(&format!("{test}: PID 1 is not systemd"));
        return false;
    }
    assert!(
        nix::unistd::geteuid().is_root(),
        "the system manager tests run as root"
    );
    true
}

#[test]
fn bad_names_and_pids_are_refused_before_the_manager_is_asked() {
    let cases: [(Option<&str>, Option<&str>, u32); 6] = [
        (Some("job.service"), None, 1),
        (Some("a/b.scope"), None, 1),
        (Some("job@.scope"), None, 1),
        (None, Some("system"), 1),
        (None, Some("a--b.slice"), 1),
        (None, None, u32::MAX),
    ];
    for (unit, slice, pid) in cases {
        for manager in [Manager::System, Manager::User] {
            let request = ScopeRequest {
                unit,
                slice,
                pid,
                manager,
            };
            let err = start_scope(&request).unwrap_err();
            assert!(
                matches!(err, ScopeError::InvalidArgument(_)),
                "{request:?}: {err}"
            );
        }
    }
}

#[test]
fn without_systemd_as_pid_1_the_request_is_unsupported_and_nothing_moves() {
    if booted_with_systemd() {
        skip("this host runs systemd as PID 1");
        return;
    }
    let child = Proc::sleeper();
    let before = fs::read_to_string(format!("/proc/{}/cgroup", child.pid())).unwrap();
    for manager in [Manager::System, Manager::User] {
        for pid in [child.pid(), 0] {
            let err = start_scope(&request(None, pid, manager)).unwrap_err();
            assert!(
                matches!(&err, ScopeError::Unsupported(m) if m.contains("PID 1 is not systemd")),
                "{err}"
            );
        }
    }
    let after = fs::read_to_string(format!("/proc/{}/cgroup", child.pid())).unwrap();
    assert_eq!(before, after);
}

#[test]
fn root_gets_a_delegated_scope_from_the_system_manager() {
    if !systemd_as_root("root_gets_a_delegated_scope_from_the_system_manager") {
        return;
    }
    let child = Proc::sleeper();
    let ours = cgroup_of("self");
    let scope = start_scope(&request(None, child.pid(), Manager::System)).unwrap();
    let _stop = StopOnDrop(Manager::System, scope.unit.clone());
    assert!(
        scope.unit.starts_with(&format!("cgroups-{}-", child.pid())),
        "{scope:?}"
    );
    assert_delegated_scope(Manager::System, &scope, child.pid(), "/system.slice");
    assert_eq!(cgroup_of("self"), ours, "the caller must stay where it was");
    drop(child);
    assert_unit_disappears(Manager::System, &scope.unit);
}

#[test]
fn a_scope_goes_into_the_slice_asked_for() {
    if !systemd_as_root("a_scope_goes_into_the_slice_asked_for") {
        return;
    }
    let child = Proc::sleeper();
    let unit = test_unit("sliced");
    let slice = format!("cgroups-test{}.slice", std::process::id());
    let _stop = StopOnDrop(Manager::System, unit.clone());
    let scope = start_scope(&ScopeRequest {
        unit: Some(&unit),
        slice: Some(&slice),
        pid: child.pid() as u32,
        manager: Manager::System,
    })
    .unwrap();
    assert_eq!(scope.unit, unit);
    // A dash in a slice name nests it: cgroups-testN.slice lies in cgroups.slice.
    let parent = format!("/cgroups.slice/{slice}");
    assert_delegated_scope(Manager::System, &scope, child.pid(), &parent);
}

#[test]
fn a_unit_name_already_taken_is_the_managers_error_and_moves_nothing() {
    if !systemd_as_root("a_unit_name_already_taken_is_the_managers_error_and_moves_nothing") {
        return;
    }
    let (first, second) = (Proc::sleeper(), Proc::sleeper());
    let unit = test_unit("taken");
    let _stop = StopOnDrop(Manager::System, unit.clone());
    start_scope(&request(Some(&unit), first.pid(), Manager::System)).unwrap();
    let before = cgroup_of(second.pid());
    let err = start_scope(&request(Some(&unit), second.pid(), Manager::System)).unwrap_err();
    println!("{err}");
    assert!(
        matches!(&err, ScopeError::Manager { name, .. } if name == "org.freedesktop.systemd1.UnitExists"),
        "{err}"
    );
    assert_eq!(cgroup_of(second.pid()), before);
    assert_eq!(cgroup_of(first.pid()), format!("/system.slice/{unit}"));
}

#[test]
fn a_dead_pid_is_no_such_process_and_leaves_no_unit() {
    if !systemd_as_root("a_dead_pid_is_no_such_process_and_leaves_no_unit") {
        return;
    }
    let child = Proc::sleeper();
    let pid = child.pid();
    drop(child);
    let unit = test_unit("dead");
    let _stop = StopOnDrop(Manager::System, unit.clone());
    let err = start_scope(&request(Some(&unit), pid, Manager::System)).unwrap_err();
    println!("{err}");
    assert!(
        matches!(&err, ScopeError::NoSuchProcess { pid: p, .. } if *p == pid as u32),
        "{err}"
    );
    assert_unit_disappears(Manager::System, &unit);
}

#[test]
fn pid_0_moves_the_caller_and_leaves_sigpipe_alone() {
    if !systemd_as_root("pid_0_moves_the_caller_and_leaves_sigpipe_alone") {
        return;
    }
    let root = nix::unistd::User::from_uid(0.into()).unwrap().unwrap();
    let unit = test_unit("self");
    let _stop = StopOnDrop(Manager::System, unit.clone());
    let output = run_test_as(
        &root,
        "caller_side_moves_itself_into_a_scope",
        &[],
        &[("CGROUPS_TEST_UNIT", unit.clone())],
    );
    assert!(output.status.success(), "the caller side failed");
    assert_unit_disappears(Manager::System, &unit);
}

#[test]
#[ignore = "moves its own process; started by pid_0_moves_the_caller_and_leaves_sigpipe_alone"]
fn caller_side_moves_itself_into_a_scope() {
    let unit = std::env::var("CGROUPS_TEST_UNIT").unwrap();
    // The test harness ignores SIGPIPE, as every Rust program does; a C caller usually does not,
    // and older libdbus versions set SIG_IGN on every connection.
    // SAFETY: changes this test process's own signal disposition.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let scope = start_scope(&request(Some(&unit), 0, Manager::System)).unwrap();
    assert_eq!(cgroup_of("self"), scope.cgroup);
    assert_eq!(scope.cgroup, format!("/system.slice/{unit}"));
    // SAFETY: reads (by setting and restoring) this process's own disposition.
    let disposition = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    assert_eq!(disposition, libc::SIG_DFL, "libdbus changed SIGPIPE");
}

#[test]
fn root_reaches_the_system_manager_over_the_system_bus_too() {
    if !systemd_as_root("root_reaches_the_system_manager_over_the_system_bus_too") {
        return;
    }
    let unit = test_unit("bus");
    let _stop = StopOnDrop(Manager::System, unit.clone());
    // /dev/null hides the private socket in a mount namespace of the caller's own, so the client
    // goes through dbus-daemon: AddMatch, Subscribe and JobRemoved as a bus peer.
    let status = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(
            "mount --bind /dev/null /run/systemd/private && exec \"$0\" --ignored --exact \
             bus_side_gets_a_scope_over_the_system_bus --nocapture --test-threads=1",
        )
        .arg(std::env::current_exe().unwrap())
        .env("CGROUPS_TEST_UNIT", &unit)
        .status()
        .unwrap();
    assert!(status.success(), "the bus side failed");
    assert_unit_disappears(Manager::System, &unit);
}

#[test]
#[ignore = "runs where the private socket is hidden, started by root_reaches_the_system_manager_over_the_system_bus_too"]
fn bus_side_gets_a_scope_over_the_system_bus() {
    let private = fs::metadata("/run/systemd/private").unwrap();
    assert!(
        !private.file_type().is_socket(),
        "the private socket is not hidden"
    );
    let unit = std::env::var("CGROUPS_TEST_UNIT").unwrap();
    let child = Proc::sleeper();
    let scope = start_scope(&request(Some(&unit), child.pid(), Manager::System)).unwrap();
    assert_delegated_scope(Manager::System, &scope, child.pid(), "/system.slice");
}

#[test]
fn a_user_gets_a_delegated_scope_from_its_user_manager() {
    if !systemd_as_root("a_user_gets_a_delegated_scope_from_its_user_manager") {
        return;
    }
    let Ok(name) = std::env::var(SYSTEMD_USER_ENV) else {
        skip(&format!(
            "a_user_gets_a_delegated_scope_from_its_user_manager: {SYSTEMD_USER_ENV} names no user with linger"
        ));
        return;
    };
    let user = nix::unistd::User::from_name(&name)
        .unwrap()
        .unwrap_or_else(|| panic!("no passwd entry for {name}"));
    let uid = user.uid.as_raw();
    // Already running with linger; waits until the manager is up otherwise.
    let started = Command::new("systemctl")
        .args(["start", &format!("user@{uid}.service")])
        .status()
        .unwrap();
    assert!(started.success(), "user@{uid}.service did not start");
    let output = run_test_as(
        &user,
        "user_side_gets_scopes_from_its_user_manager_only",
        &[],
        &[("XDG_RUNTIME_DIR", format!("/run/user/{uid}"))],
    );
    assert!(output.status.success(), "the user side failed");
}

#[test]
#[ignore = "runs as the user with linger, started by a_user_gets_a_delegated_scope_from_its_user_manager"]
fn user_side_gets_scopes_from_its_user_manager_only() {
    let uid = nix::unistd::getuid().as_raw();
    let child = Proc::sleeper();
    let scope = start_scope(&request(None, child.pid(), Manager::User)).unwrap();
    let _stop = StopOnDrop(Manager::User, scope.unit.clone());
    let parent = format!("/user.slice/user-{uid}.slice/user@{uid}.service/app.slice");
    assert_delegated_scope(Manager::User, &scope, child.pid(), &parent);
    let dir = format!("/sys/fs/cgroup{}", scope.cgroup);
    for file in ["", "cgroup.procs", "cgroup.subtree_control"] {
        let owner = fs::metadata(Path::new(&dir).join(file)).unwrap().uid();
        assert_eq!(owner, uid, "{dir}/{file} must be the user's");
    }

    let other = Proc::sleeper();
    let before = cgroup_of(other.pid());
    let err = start_scope(&request(None, other.pid(), Manager::System)).unwrap_err();
    println!("{err}");
    assert!(matches!(err, ScopeError::Permission { .. }), "{err}");
    assert_eq!(cgroup_of(other.pid()), before);

    drop(child);
    assert_unit_disappears(Manager::User, &scope.unit);
}
