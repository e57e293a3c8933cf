//! Starting a program inside a group ([`Command`], [`Child`]), and the group's directory as a
//! descriptor for callers that start processes themselves ([`Cgroup::dir_fd`]).
//!
//! Where the group has a cgroup2 directory, the child is created in it by `clone3` with
//! `CLONE_INTO_CGROUP` (Linux 5.7+): it is a member from its first instruction. Every other
//! directory of the group (the v1 hierarchies; all of them on kernels without `clone3`) is
//! joined by the child itself before `execve`, with the async-signal-safe self-attach.

mod plan;
mod start;

use std::collections::BTreeMap;
use std::ffi::{c_char, OsStr, OsString};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;

use plan::CStringArray;
use start::{Exec, StartError};

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::group_dir::{is_missing, GroupDir};
use crate::layout::{Controller, Version};

impl Cgroup {
    /// A builder for starting `program` inside this group, in the manner of
    /// [`std::process::Command`]: add arguments and environment changes, then
    /// [`Command::spawn`].
    ///
    /// ```no_run
    /// # let layout = cgroups::Layout::discover()?;
    /// # let group = cgroups::Cgroup::open(&layout, "build", cgroups::Selection::All, None)?;
    /// let mut child = group.command("make").args(["-j", "4"]).env("LANG", "C").spawn()?;
    /// let status = child.wait().expect("wait for make");
    /// # Ok::<(), cgroups::Error>(())
    /// ```
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command<'_> {
        Command {
            group: self,
            program: program.as_ref().to_owned(),
            arg0: None,
            args: Vec::new(),
            clear_env: false,
            vars: BTreeMap::new(),
        }
    }

    /// A new descriptor of the group's directory in the hierarchy serving `controller` (on
    /// cgroup v2 every controller is served by the same directory), opened
    /// `O_RDONLY | O_DIRECTORY | O_CLOEXEC` (not `O_PATH`), for callers that start processes
    /// themselves or open the group's files with `openat`:
    ///
    /// - `clone3` with `CLONE_INTO_CGROUP` and this descriptor as `cgroup` (cgroup v2 only)
    ///   creates the child inside the group;
    /// - Go (1.20+): `cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}`
    ///   does the same for an `exec.Cmd` (cgroup v2 only);
    /// - a [`std::process::Command`] cannot use `clone3`; its child can join the group between
    ///   `fork` and `exec` with `pre_exec(move || group.attach_self())`
    ///   ([`Cgroup::attach_self`]), which runs after the fork, or use [`Cgroup::command`].
    ///
    /// Fails with [`Error::ControllerUnavailable`] when the group was opened without
    /// `controller`, and [`Error::NotFound`] when the group was removed.
    pub fn dir_fd(&self, controller: Controller) -> Result<OwnedFd> {
        self.dir(controller)?.open_readable()
    }
}

/// A program to start inside a group, built by [`Cgroup::command`].
///
/// The child gets the caller's open descriptors that are not close-on-exec (its standard input
/// and output included), an empty signal mask, every caught signal and every standard signal
/// (1–31, SIGPIPE included) at its default even where the caller ignores it (ignored real-time
/// signals stay ignored, as across `exec`), and the caller's environment with the changes made
/// here.
#[derive(Debug)]
pub struct Command<'g> {
    group: &'g Cgroup,
    program: OsString,
    arg0: Option<OsString>,
    args: Vec<OsString>,
    clear_env: bool,
    /// Variables set (`Some`) or removed (`None`) on top of the inherited or cleared environment.
    vars: BTreeMap<OsString, Option<OsString>>,
}

impl Command<'_> {
    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets the program's `argv[0]` (by default the program as given to [`Cgroup::command`]).
    pub fn arg0(&mut self, arg0: impl AsRef<OsStr>) -> &mut Self {
        self.arg0 = Some(arg0.as_ref().to_owned());
        self
    }

    /// Sets an environment variable for the program.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.vars
            .insert(key.as_ref().to_owned(), Some(value.as_ref().to_owned()));
        self
    }

    /// Sets several environment variables for the program.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (key, value) in vars {
            self.env(key, value);
        }
        self
    }

    /// Removes a variable from the program's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        self.vars.insert(key.as_ref().to_owned(), None);
        self
    }

    /// Starts the program with no inherited environment: only the variables set afterwards.
    pub fn env_clear(&mut self) -> &mut Self {
        self.clear_env = true;
        self.vars.clear();
        self
    }

    /// Starts the program inside the group and returns once it runs (its `execve` succeeded).
    /// The caller reaps it ([`Child::wait`]); dropping the [`Child`] neither kills nor waits.
    ///
    /// A program without `/` is searched in the directories of the caller's own `PATH`
    /// (`/bin:/usr/bin` without one) as `execvp` does — not in a `PATH` set with
    /// [`Command::env`] — skipping directories where it is missing and, unless no directory
    /// has an executable one, where it is not executable. A file that is not a valid executable
    /// is not run through `/bin/sh` (as `posix_spawnp`, unlike `execvp`).
    ///
    /// Fails with [`Error::Os`] carrying the `execve` error when the program cannot be
    /// executed (not found: ENOENT; not executable: EACCES; …), with nothing left behind (the
    /// child is reaped); [`Error::NotFound`] when the group was removed;
    /// [`Error::InvalidArgument`] for a NUL byte in the program, an argument or the
    /// environment, or a variable name that is empty or contains `=`; [`Error::Busy`] when the
    /// group has controllers enabled for its child groups (cgroup v2 takes no process there);
    /// [`Error::Permission`] when the caller may not move a process into the group.
    pub fn spawn(&mut self) -> Result<Child> {
        let candidates = plan::candidates(&self.program, || std::env::var_os("PATH"))?;
        let argv = std::iter::once(self.arg0.as_ref().unwrap_or(&self.program))
            .chain(&self.args)
            .cloned()
            .collect();
        let argv = CStringArray::new(argv, "argument")?;
        let envp = self.environment()?;
        if candidates.is_empty() {
            return Err(self.exec_error(io::Error::from_raw_os_error(libc::ENOENT)));
        }
        let exec = Exec {
            candidates: &candidates,
            argv: argv.as_ptr(),
            // SAFETY: reading the process's environment pointer, as execvp does.
            envp: envp.as_ref().map_or_else(
                || unsafe { libc::environ } as *const *const c_char,
                CStringArray::as_ptr,
            ),
        };
        let pid = start::start(self.group, &exec).map_err(|e| self.start_error(e))?;
        Ok(Child { pid, status: None })
    }

    /// The environment to give the program, or `None` to pass the caller's unchanged.
    fn environment(&self) -> Result<Option<CStringArray>> {
        if !self.clear_env && self.vars.is_empty() {
            return Ok(None);
        }
        if let Some(key) = self
            .vars
            .keys()
            .find(|k| k.is_empty() || k.as_encoded_bytes().contains(&b'='))
        {
            return Err(Error::InvalidArgument(format!(
                "environment variable name {key:?} is empty or contains '='"
            )));
        }
        let mut vars: BTreeMap<OsString, OsString> = if self.clear_env {
            BTreeMap::new()
        } else {
            std::env::vars_os().collect()
        };
        for (key, value) in &self.vars {
            match value {
                Some(value) => vars.insert(key.clone(), value.clone()),
                None => vars.remove(key),
            };
        }
        let entries = vars
            .into_iter()
            .map(|(mut entry, value)| {
                entry.push("=");
                entry.push(value);
                entry
            })
            .collect();
        CStringArray::new(entries, "environment entry").map(Some)
    }

    fn start_error(&self, error: StartError<'_>) -> Error {
        match error {
            StartError::Clone(Some(dir), e) => clone_into_error(dir, e),
            StartError::Clone(None, source) => Error::Os {
                action: "clone a process to start",
                path: self.program_path(),
                source,
                hint: String::new(),
            },
            StartError::Join(dir, e) if is_missing(&e) => dir.not_found(),
            StartError::Join(dir, e) => Error::from_io(
                "move a new process into",
                dir.path().join("cgroup.procs"),
                e,
            )
            .with_permission_hint(permission_hint(dir)),
            StartError::Exec(e) => self.exec_error(e),
            StartError::Pipe(source) => Error::Os {
                action: "learn whether the child started",
                path: self.program_path(),
                source,
                hint: String::new(),
            },
        }
    }

    /// An `execve` failure is an OS error whatever its errno: ENOENT means the program, not the
    /// group, is missing.
    fn exec_error(&self, source: io::Error) -> Error {
        let searched = !self.program.as_encoded_bytes().contains(&b'/');
        let hint = match source.raw_os_error() {
            Some(libc::ENOENT) if searched => " (not found in any directory of PATH)".into(),
            _ => String::new(),
        };
        Error::Os {
            action: "execute",
            path: self.program_path(),
            source,
            hint,
        }
    }

    fn program_path(&self) -> PathBuf {
        PathBuf::from(&self.program)
    }
}

/// A failed `clone3` into the group's cgroup2 directory.
fn clone_into_error(dir: &GroupDir, source: io::Error) -> Error {
    match source.raw_os_error() {
        _ if is_missing(&source) => dir.not_found(),
        Some(libc::EBUSY) => Error::Busy {
            path: dir.path().to_path_buf(),
            reason: "it has controllers enabled for its child groups, and a cgroup v2 group that \
                     does takes no process (no-internal-process rule)"
                .into(),
        },
        Some(libc::EAGAIN) => Error::Os {
            action: "start a process in",
            path: dir.path().to_path_buf(),
            source,
            hint: " (the group's pids.max, or the user's process limit, is reached)".into(),
        },
        _ => Error::from_io("start a process in", dir.path(), source)
            .with_permission_hint(permission_hint(dir)),
    }
}

/// Why the kernel refuses a new process in a group the caller may not fill.
fn permission_hint(dir: &GroupDir) -> &'static str {
    match dir.version() {
        Version::V2 => {
            " (cgroup v2 puts a new process into a group only for a caller that may write the \
             cgroup.procs of the common ancestor of its own cgroup and the group: spawn from a \
             process that lives inside your delegated subtree)"
        }
        Version::V1 => {
            " (no write access to the group's cgroup.procs: root has to delegate the user's \
             subtree first, with user_cgroups)"
        }
    }
}

/// A program started by [`Command::spawn`]. Dropping it neither kills nor reaps the process.
#[derive(Debug)]
pub struct Child {
    pid: libc::pid_t,
    status: Option<ExitStatus>,
}

impl Child {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.pid as u32
    }

    /// Waits for the program to exit and reaps it; later calls return the same status.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.reap(0)? {
                return Ok(status);
            }
        }
    }

    /// Reaps the program if it has exited, without waiting; `None` while it runs.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.reap(libc::WNOHANG)
    }

    fn reap(&mut self, flags: libc::c_int) -> io::Result<Option<ExitStatus>> {
        if self.status.is_some() {
            return Ok(self.status);
        }
        let mut raw = 0;
        loop {
            // SAFETY: `raw` is writable; the pid is our child.
            match unsafe { libc::waitpid(self.pid, &mut raw, flags) } {
                0 => return Ok(None),
                -1 => {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
                _ => {
                    let status = ExitStatus::from_raw(raw);
                    self.status = Some(status);
                    return Ok(Some(status));
                }
            }
        }
    }
}
