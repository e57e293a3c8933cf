//! Test fixtures for the real kernel: a private prefix `cgroups-test-<pid>-<n>` in every
//! hierarchy (removed on drop, even when the test fails), and child processes killed on drop.
#![allow(dead_code)]

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::thread::sleep;
use std::time::Duration;

use cgroups::{Cgroup, Layout, LayoutKind, Selection};

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
        let layout = host
            .create_subtree(&prefix)
            .expect("the test prefix can be created");
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

    fn spawn(command: &mut Command) -> Proc {
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
}

impl Drop for Proc {
    fn drop(&mut self) {
        // SAFETY: kill of our own process group.
        unsafe { libc::kill(-self.pid(), libc::SIGKILL) };
        let _ = self.0.wait();
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
