// SPDX-License-Identifier: MIT OR Apache-2.0
//! `cgroups run`: start a command in a new group of its own, forward the terminal's signals to
//! it, exit with its status, and remove the group afterwards — as `systemd-run --scope` does.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitCode;

use cgroups::{Context, Error, Layout, Selection, StatKinds};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};

use crate::args::{Cli, Limits};
use crate::commands::{apply, kill_all, Failure};
use crate::monitor::stats_record;

/// The signals forwarded to the command; SIGCHLD says it exited.
const FORWARDED: [Signal; 3] = [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];

/// What `run` was asked for.
pub struct Run<'a> {
    pub name: Option<&'a str>,
    pub limits: &'a Limits,
    pub keep: bool,
    pub stats: bool,
    pub no_scope: bool,
    pub command: &'a [OsString],
}

/// Runs the command; returns its exit status (128 + the signal that killed it).
pub fn run(cli: &Cli, run: &Run) -> Result<ExitCode, Failure> {
    let context = context(cli, run.no_scope)?;
    let name = run
        .name
        .map(String::from)
        .unwrap_or_else(|| format!("run-{}", std::process::id()));
    let on = |error: Error| Failure::on(&name, error);
    let group = context.open(&name, Selection::All).map_err(on)?;
    let started = apply(&group, run.limits).and_then(|()| {
        // Blocked from before the start, so that none is lost; the child starts with an empty
        // mask and default dispositions.
        block(true);
        let child = group
            .command(&run.command[0])
            .args(&run.command[1..])
            .spawn();
        if child.is_err() {
            block(false);
        }
        child
    });
    let mut child = match started {
        Ok(child) => child,
        Err(err) => {
            if !run.keep {
                let _ = group.delete();
            }
            // As shells report it: 127 for a command not found, 126 for one that cannot run.
            let code = match &err {
                Error::Os { source, .. } if source.raw_os_error() == Some(libc::ENOENT) => 127,
                Error::Os { .. } => 126,
                _ => return Err(on(err)),
            };
            eprintln!("cgroups: {}", on(err));
            return Ok(ExitCode::from(code));
        }
    };
    let status = forward_until_exit(&mut child).map_err(|e| on(io_error(e)))?;
    block(false);
    if run.stats {
        let stats = group.stats(StatKinds::ALL).map_err(on)?;
        let record = stats_record(&group, &stats);
        let mut err = std::io::stderr().lock();
        let _ = if cli.json {
            writeln!(err, "{record}")
        } else {
            writeln!(err, "{}", crate::commands::text(&record))
        };
    }
    if !run.keep {
        // What the command left behind goes with its group.
        kill_all(&group).and_then(|()| group.delete()).map_err(on)?;
    }
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX)),
        (None, Some(signal)) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(u8::MAX)),
        _ => ExitCode::FAILURE,
    })
}

/// The context of `run`: a transient systemd scope holding this process where PID 1 is systemd
/// (unless `--no-scope`, or a base, user or `--delegated` was given), else as for every command.
fn context(cli: &Cli, no_scope: bool) -> Result<Context, Failure> {
    let plain = no_scope || cli.base.is_some() || cli.user.is_some() || cli.delegated;
    if !plain && Path::new("/run/systemd/system").is_dir() {
        match scope_context() {
            Err(Error::Unsupported(_)) => {}
            other => return other.map_err(Failure::from),
        }
    }
    crate::commands::context(cli)
}

#[cfg(feature = "systemd")]
fn scope_context() -> cgroups::Result<Context> {
    Context::new_scope(&Layout::discover()?, &cgroups::ScopeOptions::new())
}

#[cfg(not(feature = "systemd"))]
fn scope_context() -> cgroups::Result<Context> {
    let _ = Layout::discover;
    Err(Error::Unsupported(
        "built without the systemd feature".into(),
    ))
}

/// Blocks (or unblocks) the forwarded signals and SIGCHLD in this thread.
fn block(on: bool) {
    let how = if on {
        SigmaskHow::SIG_BLOCK
    } else {
        SigmaskHow::SIG_UNBLOCK
    };
    let _ = nix::sys::signal::pthread_sigmask(how, Some(&waited()), None);
}

fn waited() -> SigSet {
    let mut set = SigSet::empty();
    for signal in FORWARDED {
        set.add(signal);
    }
    set.add(Signal::SIGCHLD);
    set
}

/// Forwards SIGINT, SIGTERM and SIGHUP to the child until it exits; returns its status.
fn forward_until_exit(child: &mut cgroups::Child) -> std::io::Result<std::process::ExitStatus> {
    let set = waited();
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        let signal = set.wait().map_err(std::io::Error::from)?;
        if signal != Signal::SIGCHLD {
            let _ = nix::sys::signal::kill(pid, signal);
        }
    }
}

fn io_error(error: std::io::Error) -> Error {
    Error::Unsupported(format!("waiting for the command: {error}"))
}
