// SPDX-License-Identifier: MIT OR Apache-2.0
//! Test fixtures for the real kernel: a private prefix `cgroups-test-<pid>-<n>` in every
//! hierarchy (removed on drop, even when the test fails), and child processes killed on drop.
#![allow(dead_code)]

use std::fs;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::thread::sleep;
use std::time::Duration;

use cgroups::{Cgroup, Controller, Controllers, Layout, LayoutKind, Selection, Version};

const PREFIX: &str = "cgroups-test-";
static NEXT: AtomicUsize = AtomicUsize::new(0);
static SWEEP: Once = Once::new();

/// A private test prefix on the host's real cgroup filesystem.
pub struct TestTree {
    /// The host's layout at the default base.
    pub host: Layout,
    /// The layout rooted at the prefix: groups made through it live in the prefix.
    pub layout: Layout,
    dirs: Vec<PathBuf>,
}

impl TestTree {
    pub fn new() -> TestTree {
        assert!(
            nix::unistd::geteuid().is_root(),
            "kernel tests need root (run `make check` as root)"
        );
        let host = Layout::discover().expect("a cgroup filesystem is mounted");
        SWEEP.call_once(|| sweep_leftovers(&host));
        let prefix = format!(
            "{PREFIX}{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let layout =
            cgroups::create_subtree(&host, &prefix).expect("the test prefix can be created");
        let dirs = layout.hierarchies().iter().map(|h| h.dir.clone()).collect();
        TestTree { host, layout, dirs }
    }

    pub fn kind(&self) -> LayoutKind {
        self.host.kind()
    }

    /// Opens `name` of the current user in the prefix.
    pub fn open(&self, name: &str, selection: Selection) -> Cgroup {
        Cgroup::open(&self.layout, name, selection, None).expect("open")
    }

    /// The user's own group directory in the hierarchy that holds `group_dir`.
    pub fn user_group_of(&self, group_dir: &Path) -> PathBuf {
        let root = self
            .dirs
            .iter()
            .find(|d| group_dir.starts_with(d))
            .expect("group is in the prefix");
        let user = group_dir
            .strip_prefix(root)
            .unwrap()
            .components()
            .next()
            .unwrap();
        let dir = root.join(user);
        let v2 = self
            .layout
            .hierarchies()
            .iter()
            .any(|h| &h.dir == root && h.version == cgroups::Version::V2);
        if v2 {
            dir.join(cgroups::name::USER_LEAF)
        } else {
            dir
        }
    }
}

impl Drop for TestTree {
    fn drop(&mut self) {
        for dir in &self.dirs {
            remove_tree(dir, dir.parent().unwrap_or(dir));
        }
    }
}

/// Removes a test prefix from an earlier run whose process is gone.
fn sweep_leftovers(host: &Layout) {
    for hierarchy in host.hierarchies() {
        let Ok(entries) = fs::read_dir(&hierarchy.dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix(PREFIX)
                .and_then(|rest| rest.split('-').next()?.parse::<u32>().ok())
            else {
                continue;
            };
            if !Path::new(&format!("/proc/{pid}")).exists() {
                eprintln!("removing leftover test prefix {}", entry.path().display());
                remove_tree(&entry.path(), &hierarchy.dir);
            }
        }
    }
}

/// Removes `dir` and everything below it, deepest first. Processes still inside (tests' own
/// children that outlived their guard) are moved to `strays`, outside the prefix, never killed.
fn remove_tree(dir: &Path, strays: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_tree(&entry.path(), strays);
        }
    }
    for attempt in 0..50 {
        for pid in procs_of(dir) {
            let _ = fs::write(strays.join("cgroup.procs"), pid.to_string());
        }
        match fs::remove_dir(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) => sleep(Duration::from_millis(10 * (attempt + 1))),
        }
    }
    eprintln!("could not remove test group {}", dir.display());
}

/// Runs `program args` with a base that holds only `tree`'s prefix: on v2 the prefix directory
/// itself; on v1 and hybrid a private mount namespace where each hierarchy's prefix is
/// bind-mounted under one directory, as a container's /sys/fs/cgroup would be. Output goes to
/// files, so that a process the program leaks cannot keep a pipe open; `timeout` bounds the run.
pub fn run_on_test_base(tree: &TestTree, program: &[&str]) -> Output {
    let scratch = Scratch::new("run");
    let base = scratch.0.join("base");
    std::fs::create_dir_all(&base).unwrap();
    let hierarchies = tree.layout.hierarchies();
    let mut command = Command::new("timeout");
    command.args(["-k", "10", "300"]);
    if tree.kind() == LayoutKind::Unified {
        command.args(program).arg(&hierarchies[0].dir);
    } else {
        let mut script = String::from("set -e; mount -t tmpfs cgroups-test \"$0\"; ");
        for (i, h) in hierarchies.iter().enumerate() {
            script.push_str(&format!(
                "mkdir \"$0/h{i}\"; mount --bind '{}' \"$0/h{i}\"; ",
                h.dir.display()
            ));
        }
        script.push_str("exec \"$@\" \"$0\"");
        command
            .args([
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                &script,
            ])
            .arg(&base)
            .args(program);
    }
    let (stdout, stderr) = (scratch.0.join("stdout"), scratch.0.join("stderr"));
    command
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap());
    let status = command.status().expect("start the C program");
    let output = Output {
        status,
        stdout: std::fs::read(&stdout).unwrap_or_default(),
        stderr: std::fs::read(&stderr).unwrap_or_default(),
    };
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// A process started by the test, killed (with its process group) and reaped on drop.
pub struct Proc(Child);

impl Proc {
    /// `sleep 600`, in its own process group.
    pub fn sleeper() -> Proc {
        Proc::spawn(Command::new("sleep").arg("600"))
    }

    /// A shell that keeps forking short-lived children, in its own process group.
    pub fn forker() -> Proc {
        Proc::spawn(Command::new("sh").args(["-c", "while :; do sleep 0.01 & wait; done"]))
    }

    /// `sleep 600` that moves itself into `group` between fork and exec.
    pub fn sleeper_in(group: &Arc<Cgroup>) -> Proc {
        let group = Arc::clone(group);
        let mut command = Command::new("sleep");
        command.arg("600");
        // SAFETY: attach_self is async-signal-safe.
        unsafe { command.pre_exec(move || group.attach_self()) };
        Proc::spawn(&mut command)
    }

    /// Any command, in its own process group.
    pub fn spawn(command: &mut Command) -> Proc {
        Proc(
            command
                .process_group(0)
                .spawn()
                .expect("spawn a test process"),
        )
    }

    pub fn pid(&self) -> i32 {
        self.0.id() as i32
    }

    /// Whether the process still runs (not killed, not exited).
    pub fn is_alive(&self) -> bool {
        fs::read_to_string(format!("/proc/{}/stat", self.pid()))
            .is_ok_and(|stat| !stat.contains(") Z "))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // SAFETY: kill of our own process group.
        unsafe { libc::kill(-self.pid(), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

/// Thaws a group when dropped. Declared after a test's processes, it is dropped before them
/// when the test fails: a v1 freezer holds even SIGKILL until the group is thawed, and the
/// processes' own drop could not reap them.
pub struct ThawOnDrop<'a>(pub &'a Cgroup);

impl Drop for ThawOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.thaw();
    }
}

/// The pids listed in a directory's `cgroup.procs`.
pub fn procs_of(dir: &Path) -> Vec<i32> {
    fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Prints why a layout-specific test does not run here; the test then returns.
pub fn skip(reason: &str) {
    eprintln!("SKIPPED: {reason}");
}

/// The unprivileged user the non-root tests run as: `CGROUPS_TEST_USER`, or `nobody`.
pub fn test_user() -> nix::unistd::User {
    let name = std::env::var("CGROUPS_TEST_USER").unwrap_or_else(|_| "nobody".into());
    nix::unistd::User::from_name(&name)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no passwd entry for test user {name}"))
}

/// Runs `test` (an ignored test of this test binary) as `user`, with `env`, after moving the new
/// process (as root, before it drops privileges) into the cgroups whose `cgroup.procs` are
/// `join`. The binary is copied to a world-readable directory first, since the checkout may
/// not be reachable for the user.
pub fn run_test_as(
    user: &nix::unistd::User,
    test: &str,
    join: &[PathBuf],
    env: &[(&str, String)],
) -> Output {
    let scratch = Scratch::new("bin");
    fs::set_permissions(&scratch.0, fs::Permissions::from_mode(0o755)).unwrap();
    let binary = scratch.0.join("test");
    fs::copy(std::env::current_exe().unwrap(), &binary).unwrap();
    let (uid, gid) = (user.uid.as_raw(), user.gid.as_raw());
    let mut command = Command::new(&binary);
    command
        .args([
            "--ignored",
            "--exact",
            test,
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().map(|(k, v)| (k, v)));
    join_before_exec(&mut command, join);
    // SAFETY: only async-signal-safe calls (setgroups, setgid, setuid).
    unsafe {
        command.pre_exec(move || {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(gid) != 0
                || libc::setuid(uid) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    };
    let output = output_retrying_busy_text(&mut command);
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Makes the process `command` starts write "0" into each `cgroup.procs` of `join` before it
/// execs (before any later `pre_exec` step), joining those groups.
pub fn join_before_exec(command: &mut Command, join: &[PathBuf]) {
    let procs: Vec<std::ffi::CString> = join
        .iter()
        .map(|p| std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap())
        .collect();
    // SAFETY: only async-signal-safe calls (open, write, close).
    unsafe {
        command.pre_exec(move || {
            for path in &procs {
                let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd < 0 || libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(fd);
            }
            Ok(())
        })
    };
}

/// Runs `command`, retrying while exec reports ETXTBSY: a binary just copied can still be open
/// for writing in a child another test thread forked meanwhile (until that child execs).
fn output_retrying_busy_text(command: &mut Command) -> Output {
    for _ in 0..50 {
        match command.output() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => sleep(Duration::from_millis(20)),
            result => return result.expect("start the test as the unprivileged user"),
        }
    }
    panic!("the copied test binary stayed busy");
}

/// A private temporary directory, removed on drop even when the test fails.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Makes `<tmp>/cgroups-test-<kind>-<pid>-<n>`.
    pub fn new(kind: &str) -> Scratch {
        let id = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("cgroups-test-{kind}-{}-{id}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A selection of just these controllers.
pub fn with(controllers: &[Controller]) -> Selection {
    Selection::Only(controllers.iter().copied().collect::<Controllers>())
}

/// The group's directory in the hierarchy serving `controller`, and that hierarchy's version.
pub fn dir_of(tree: &TestTree, group: &Cgroup, controller: Controller) -> (PathBuf, Version) {
    let h = tree
        .layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(controller))
        .expect("a hierarchy serves the controller");
    let dir = group
        .paths()
        .find(|p| p.starts_with(&h.dir))
        .expect("the group is in it");
    (dir.to_path_buf(), h.version)
}
