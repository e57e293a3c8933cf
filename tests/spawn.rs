//! Starting programs inside a group (`Cgroup::command`) and the group's directory descriptor
//! (`Cgroup::dir_fd`), on this host's real cgroup filesystem.

mod common;

use std::fs;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cgroups::{Cgroup, Controller, Controllers, Error, Layout, Selection, Version};
use common::{procs_of, run_test_as, test_user, Proc, TestTree};

const PREFIX_ENV: &str = "CGROUPS_TEST_PREFIX";

fn cpu_and_memory() -> Selection {
    Selection::Only(Controllers::from(Controller::Cpu).with(Controller::Memory))
}

/// A file path of this test run, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        Scratch(std::env::temp_dir().join(format!(
            "cgroups-test-spawn-{}-{n}-{what}",
            std::process::id()
        )))
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }

    fn read(&self) -> String {
        fs::read_to_string(&self.0).unwrap_or_default()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Runs `script` with `sh -c` inside `group` (its output file is `$1`) and returns what it wrote.
fn run_script(group: &Cgroup, script: &str) -> String {
    let output = Scratch::new("out");
    let mut child = group
        .command("sh")
        .args(["-c", script, "sh", output.path()])
        .spawn()
        .expect("spawn sh");
    assert!(child.wait().unwrap().success());
    output.read()
}

/// Whether the `/proc/<pid>/cgroup` text names every directory of `group`.
fn names_every_directory_of(text: &str, group: &Cgroup) -> bool {
    let seen: Vec<&str> = text
        .lines()
        .filter_map(|l| l.splitn(3, ':').nth(2))
        .filter(|p| *p != "/")
        .collect();
    group.paths().all(|dir| {
        seen.iter()
            .any(|p| dir.ends_with(p.trim_start_matches('/')))
    })
}

/// Processes this thread started that are zombies: children that never reached exec carry the
/// starting thread's name, so concurrent tests' children do not count.
fn zombies_of_this_thread() -> Vec<i32> {
    let me = std::process::id().to_string();
    let name = fs::read_to_string("/proc/thread-self/comm").unwrap();
    let name = name.trim_end();
    fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            let Some((comm, rest)) = stat.split_once(" (").and_then(|(_, r)| r.rsplit_once(") "))
            else {
                return false;
            };
            let mut fields = rest.split(' ');
            let (state, ppid) = (fields.next(), fields.next());
            comm == name && state == Some("Z") && ppid == Some(me.as_str())
        })
        .collect()
}

/// The directory serving `controller` in the layout's cgroup2 tree, if `group` has one there.
fn unified_controller(tree: &TestTree, group: &Cgroup) -> Option<Controller> {
    tree.layout
        .hierarchies()
        .iter()
        .filter(|h| h.version == Version::V2)
        .flat_map(|h| h.controllers.iter())
        .find(|c| group.controllers().contains(*c))
}

#[test]
fn a_spawned_program_sees_itself_in_the_group() {
    let tree = TestTree::new();
    let group = tree.open("seen", cpu_and_memory());
    let text = run_script(&group, "cat /proc/self/cgroup > \"$1\"");
    assert!(names_every_directory_of(&text, &group), "{text}");
    group.delete().unwrap();
}

#[test]
fn a_spawned_program_is_in_every_hierarchy_of_the_group() {
    let tree = TestTree::new();
    let group = tree.open("everywhere", Selection::All);
    let text = run_script(&group, "cat /proc/self/cgroup > \"$1\"");
    assert!(names_every_directory_of(&text, &group), "{text}");
    group.delete().unwrap();
}

#[test]
fn on_cgroup_v2_a_spawned_process_is_created_inside_the_group() {
    let tree = TestTree::new();
    let group = tree.open("born-inside", Selection::Only(Controller::Pids.into()));
    if unified_controller(&tree, &group).is_none() {
        common::skip("pids is not served by a cgroup2 tree here");
        group.delete().unwrap();
        return;
    }
    let dir = group.paths().next().unwrap().to_path_buf();
    fs::write(dir.join("pids.max"), "0").unwrap();
    // A process created elsewhere and moved in is not refused (migration ignores pids.max)...
    let group = Arc::new(group);
    let attached = Proc::sleeper_in(&group);
    assert_eq!(procs_of(&dir), [attached.pid()]);
    drop(attached);
    // ... but one created inside the group is counted at its creation, and refused.
    let refused = group.command("true").spawn();
    match refused {
        Err(Error::Os { source, .. }) => assert_eq!(source.raw_os_error(), Some(libc::EAGAIN)),
        other => panic!("expected EAGAIN, got {other:?}"),
    }
    fs::write(dir.join("pids.max"), "max").unwrap();
    group.delete().unwrap();
}

#[test]
fn a_program_name_without_a_slash_is_searched_in_the_callers_path() {
    let tree = TestTree::new();
    let group = tree.open("path", cpu_and_memory());
    // Found through the caller's PATH although the program's own environment has none, or
    // a useless one (execvpe's rule).
    for path in [None, Some("/nonexistent")] {
        let mut command = group.command("sh");
        command.env_clear().args(["-c", "exit 7"]);
        if let Some(path) = path {
            command.env("PATH", path);
        }
        let status = command.spawn().unwrap().wait().unwrap();
        assert_eq!(status.code(), Some(7));
    }
    group.delete().unwrap();
}

#[test]
fn exec_failures_report_the_exec_errno_and_leave_no_zombie() {
    let tree = TestTree::new();
    let group = tree.open("exec-failures", cpu_and_memory());
    let not_executable = Scratch::new("not-executable");
    fs::write(&not_executable.0, "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(&not_executable.0, fs::Permissions::from_mode(0o644)).unwrap();
    let garbage = Scratch::new("garbage");
    fs::write(&garbage.0, [0x7f, b'E', b'L', b'F', 0, 0, 0, 0]).unwrap();
    fs::set_permissions(&garbage.0, fs::Permissions::from_mode(0o755)).unwrap();
    let cases = [
        ("/nonexistent/cgroups-test-program", libc::ENOENT),
        ("cgroups-test-no-such-program", libc::ENOENT),
        ("", libc::ENOENT),
        (not_executable.path(), libc::EACCES),
        // Not run through /bin/sh as execvp would: posix_spawnp's rule.
        (garbage.path(), libc::ENOEXEC),
    ];
    for (program, errno) in cases {
        let result = group.command(program).spawn();
        match &result {
            Err(Error::Os { action, source, .. }) => {
                assert_eq!(*action, "execute", "{program}");
                assert_eq!(source.raw_os_error(), Some(errno), "{program}");
            }
            other => panic!("{program}: expected an exec error, got {other:?}"),
        }
        assert_eq!(zombies_of_this_thread(), Vec::<i32>::new(), "{program}");
    }
    let message = group
        .command("cgroups-test-no-such-program")
        .spawn()
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("not found in any directory of PATH"),
        "{message}"
    );
    group.delete().unwrap();
}

#[test]
fn the_environment_is_inherited_unless_changed() {
    let tree = TestTree::new();
    let group = tree.open("environment", cpu_and_memory());
    let inherited = run_script(&group, "printf %s \"$PATH\" > \"$1\"");
    assert_eq!(inherited, std::env::var("PATH").unwrap());

    let output = Scratch::new("env");
    let mut command = group.command("sh");
    command
        .args([
            "-c",
            "printf '%s|%s' \"$ONLY\" \"${HOME-unset}\" > \"$0\"",
            output.path(),
        ])
        .env("HOME", "/somewhere")
        .env_clear()
        .env("ONLY", "one");
    assert!(command.spawn().unwrap().wait().unwrap().success());
    assert_eq!(output.read(), "one|unset");

    command.env_remove("ONLY").env("HOME", "/h");
    assert!(command.spawn().unwrap().wait().unwrap().success());
    assert_eq!(output.read(), "|/h");
    group.delete().unwrap();
}

#[test]
fn arguments_and_argv0_reach_the_program_and_its_exit_status_comes_back() {
    let tree = TestTree::new();
    let group = tree.open("arguments", cpu_and_memory());
    let output = Scratch::new("cmdline");
    let script = "cat /proc/$$/cmdline > \"$0\"; exit 3";
    // argv[0] is the program as given, unless set (busybox, the VM's sh, needs a known name).
    for (arg0, expected) in [(None, "/bin/sh"), (Some("sh"), "sh")] {
        let mut command = group.command("/bin/sh");
        if let Some(arg0) = arg0 {
            command.arg0(arg0);
        }
        let mut child = command.args(["-c", script, output.path()]).spawn().unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(3));
        assert_eq!(child.wait().unwrap().code(), Some(3));
        assert_eq!(child.try_wait().unwrap().and_then(|s| s.code()), Some(3));
        let cmdline = output.read();
        let argv: Vec<&str> = cmdline.split('\0').collect();
        assert_eq!(argv[..3], [expected, "-c", script]);
    }
    group.delete().unwrap();
}

#[test]
fn the_program_starts_with_standard_signals_at_their_defaults_and_an_empty_mask() {
    let tree = TestTree::new();
    let group = tree.open("signals", cpu_and_memory());
    // The Rust runtime ignores SIGPIPE; ignore SIGUSR2 and a real-time signal too, and block
    // SIGUSR1 in this thread.
    let realtime = libc::SIGRTMIN() + 2;
    // SAFETY: SIG_IGN for signals nothing in this test binary handles; this thread's mask.
    let old_mask = unsafe {
        libc::signal(libc::SIGUSR2, libc::SIG_IGN);
        libc::signal(realtime, libc::SIG_IGN);
        let mut block: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut block);
        libc::sigaddset(&mut block, libc::SIGUSR1);
        libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old);
        old
    };
    let status = run_script(&group, "exec grep ^Sig /proc/self/status > \"$1\"");
    // SAFETY: restores this thread's mask.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old_mask, std::ptr::null_mut()) };
    let mask = |field: &str| {
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
    };
    let bit = |signal: i32| 1u64 << (signal - 1);
    assert_eq!(mask("SigBlk:") & bit(libc::SIGUSR1), 0, "{status}");
    assert_eq!(
        mask("SigIgn:") & (bit(libc::SIGPIPE) | bit(libc::SIGUSR2)),
        0,
        "{status}"
    );
    // Ignored real-time signals stay ignored, as across exec.
    assert_ne!(mask("SigIgn:") & bit(realtime), 0, "{status}");
    group.delete().unwrap();
}

#[test]
fn spawning_into_a_deleted_group_is_not_found() {
    let tree = TestTree::new();
    let group = tree.open("deleted", cpu_and_memory());
    group.delete().unwrap();
    let result = group.command("true").spawn();
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    assert_eq!(zombies_of_this_thread(), Vec::<i32>::new());
    let fd = group.dir_fd(Controller::Cpu);
    assert!(matches!(fd, Err(Error::NotFound { .. })), "{fd:?}");
}

#[test]
fn bad_arguments_are_refused_before_anything_starts() {
    let tree = TestTree::new();
    let group = tree.open("bad-arguments", cpu_and_memory());
    let attempts = [
        group.command("tr\0ue").spawn(),
        group.command("true").arg("a\0b").spawn(),
        group.command("true").env("A=B", "c").spawn(),
        group.command("true").env("", "c").spawn(),
        group.command("true").env("A", "c\0d").spawn(),
    ];
    for result in attempts {
        assert!(
            matches!(result, Err(Error::InvalidArgument(_))),
            "{result:?}"
        );
    }
    assert!(procs_of(group.paths().next().unwrap()).is_empty());
    group.delete().unwrap();
}

#[test]
fn many_threads_can_spawn_at_once_while_others_allocate() {
    let tree = TestTree::new();
    let group = tree.open("threads", cpu_and_memory());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let allocator = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut total = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let v: Vec<u8> = vec![1; 4096];
                total = total.wrapping_add(v.len());
            }
            total
        })
    };
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..20 {
                    let mut child = group.command("true").spawn().unwrap();
                    assert!(child.wait().unwrap().success());
                }
            });
        }
    });
    stop.store(true, Ordering::Relaxed);
    allocator.join().unwrap();
    group.delete().unwrap();
}

#[test]
fn dir_fd_is_a_readable_close_on_exec_descriptor_of_the_group_directory() {
    let tree = TestTree::new();
    let group = tree.open("dir-fd", cpu_and_memory());
    let paths: Vec<PathBuf> = group.paths().map(Path::to_path_buf).collect();
    for controller in [Controller::Cpu, Controller::Memory] {
        let fd: OwnedFd = group.dir_fd(controller).unwrap();
        let raw = fd.as_raw_fd();
        // SAFETY: fcntl queries on an open descriptor.
        let (flags, fd_flags) = unsafe {
            (
                libc::fcntl(raw, libc::F_GETFL),
                libc::fcntl(raw, libc::F_GETFD),
            )
        };
        assert_eq!(flags & libc::O_PATH, 0);
        assert_ne!(fd_flags & libc::FD_CLOEXEC, 0);
        let via_fd = fs::read_to_string(format!("/proc/self/fd/{raw}/cgroup.procs"));
        assert!(via_fd.is_ok(), "{via_fd:?}");
        let target = fs::read_link(format!("/proc/self/fd/{raw}")).unwrap();
        assert!(paths.contains(&target), "{target:?} not in {paths:?}");
    }
    let absent = group.dir_fd(Controller::Pids);
    assert!(
        matches!(absent, Err(Error::ControllerUnavailable { .. })),
        "{absent:?}"
    );
    group.delete().unwrap();
}

#[test]
fn clone3_with_a_dir_fd_creates_a_process_inside_the_group() {
    let tree = TestTree::new();
    let group = tree.open("clone3", Selection::All);
    let Some(controller) = unified_controller(&tree, &group) else {
        common::skip("no controller of the group is served by a cgroup2 tree here");
        group.delete().unwrap();
        return;
    };
    let fd = group.dir_fd(controller).unwrap();
    let target = fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).unwrap();
    // clone_args up to `cgroup`: flags, pidfd, child_tid, parent_tid, exit_signal, stack,
    // stack_size, tls, set_tid, set_tid_size, cgroup.
    let mut args = [0u64; 11];
    args[0] = 0x2_0000_0000; // CLONE_INTO_CGROUP
    args[4] = libc::SIGCHLD as u64;
    args[10] = fd.as_raw_fd() as u64;
    // SAFETY: fork-like clone3 (no CLONE_VM, no stack); the child only calls pause and _exit.
    let pid = unsafe { libc::syscall(libc::SYS_clone3, args.as_ptr(), 88usize) };
    if pid == 0 {
        // SAFETY: async-signal-safe calls in the child.
        unsafe {
            libc::pause();
            libc::_exit(0);
        }
    }
    assert!(pid > 0, "clone3: {}", io::Error::last_os_error());
    let pid = pid as i32;
    let members = procs_of(&target);
    // SAFETY: our own child.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    assert_eq!(members, [pid]);
    group.delete().unwrap();
}

#[test]
fn a_std_command_can_join_the_group_before_exec() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("std-command", cpu_and_memory()));
    let output = Scratch::new("std");
    let joiner = Arc::clone(&group);
    let mut command = std::process::Command::new("sh");
    command.args(["-c", "cat /proc/self/cgroup > \"$0\"", output.path()]);
    // SAFETY: attach_self is async-signal-safe.
    unsafe { command.pre_exec(move || joiner.attach_self()) };
    assert!(command.status().unwrap().success());
    assert!(names_every_directory_of(&output.read(), &group));
    group.delete().unwrap();
}

#[test]
fn a_delegated_user_spawns_into_their_own_group_without_root() {
    let tree = TestTree::new();
    let user = test_user();
    cgroups::delegate_subtree(&tree.layout, &user.name).unwrap();
    // The user side starts in the user's own group, as a login session of the user would.
    let session: Vec<PathBuf> = tree
        .layout
        .hierarchies()
        .iter()
        .map(|h| match h.version {
            Version::V1 => h.dir.join(&user.name),
            Version::V2 => h.dir.join(&user.name).join(cgroups::name::USER_LEAF),
        })
        .map(|dir| dir.join("cgroup.procs"))
        .collect();
    let prefix = tree.layout.hierarchies()[0].dir.file_name().unwrap();
    let env = [(PREFIX_ENV, prefix.to_string_lossy().into_owned())];
    let output = run_test_as(&user, "user_side_spawns_into_own_group", &session, &env);
    assert!(output.status.success(), "user side failed");
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}

#[test]
#[ignore = "runs as the unprivileged user, started by a_delegated_user_spawns_into_their_own_group_without_root"]
fn user_side_spawns_into_own_group() {
    let prefix = std::env::var(PREFIX_ENV).expect("started by the root-side test");
    let layout = Layout::discover().unwrap().subtree(&prefix).unwrap();
    let group = Cgroup::open(&layout, "mine", cpu_and_memory(), None).unwrap();
    let text = run_script(&group, "cat /proc/self/cgroup > \"$1\"");
    assert!(names_every_directory_of(&text, &group), "{text}");
    group.delete().unwrap();
}
