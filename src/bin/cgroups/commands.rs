// SPDX-License-Identifier: MIT OR Apache-2.0
//! What each subcommand does, on the public Rust API.

use std::fmt;
use std::os::unix::process::CommandExt;
use std::process::ExitCode;
use std::time::Duration;

use cgroups::{Cgroup, Context, Error, Layout, Selection, Unit};
use serde_json::{json, Value};

use crate::args::{Cli, Command, Limits};
use crate::monitor;
use crate::run;

/// A failure, with the group it concerns.
pub struct Failure {
    group: Option<String>,
    error: Error,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.group {
            Some(group) => write!(f, "{group}: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { group: None, error }
    }
}

impl Failure {
    /// A library error about `group`.
    pub fn on(group: &str, error: Error) -> Failure {
        Failure {
            group: Some(group.to_string()),
            error,
        }
    }
}

/// Attaches the group's name to a library error.
fn on(group: &str) -> impl Fn(Error) -> Failure + '_ {
    move |error| Failure::on(group, error)
}

/// Runs the subcommand; returns the exit code for success.
pub fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    let context = || context(cli);
    match &cli.command {
        Command::Run {
            name,
            limits,
            keep,
            stats,
            no_scope,
            command,
        } => {
            let request = run::Run {
                name: name.as_deref(),
                limits,
                keep: *keep,
                stats: *stats,
                no_scope: *no_scope,
                command,
            };
            return run::run(cli, &request);
        }
        Command::Create { name, limits } => {
            let group = context()?.open(name, Selection::All).map_err(on(name))?;
            apply(&group, limits).map_err(on(name))?;
        }
        Command::Set { name, limits } => {
            let group = context()?.load(name).map_err(on(name))?;
            apply(&group, limits).map_err(on(name))?;
        }
        Command::Get { name } => {
            let group = context()?.load(name).map_err(on(name))?;
            show(cli, &describe(&group).map_err(on(name))?);
        }
        Command::List => {
            let names = context()?.groups()?;
            if cli.json {
                println!("{}", json!(names));
            } else {
                names.iter().for_each(|name| println!("{name}"));
            }
        }
        Command::Add { name, pids } => {
            let group = context()?.load(name).map_err(on(name))?;
            for &pid in pids {
                group.add(pid).map_err(on(name))?;
            }
        }
        Command::Exec { name, command } => {
            let group = context()?.load(name).map_err(on(name))?;
            return Ok(exec(&group, command));
        }
        Command::Delete { name, kill } => {
            let group = context()?.load(name).map_err(on(name))?;
            if *kill {
                kill_all(&group).map_err(on(name))?;
            }
            group.delete().map_err(on(name))?;
        }
        Command::Freeze { name } => context()?
            .load(name)
            .and_then(|g| g.freeze())
            .map_err(on(name))?,
        Command::Thaw { name } => context()?
            .load(name)
            .and_then(|g| g.thaw())
            .map_err(on(name))?,
        Command::Stats { name, watch } => {
            monitor::stats(&context()?, name, *watch, &|record| show(cli, record))
                .map_err(on(name))?
        }
        Command::Events { name } => {
            monitor::events(&context()?, name, cli.json).map_err(on(name))?
        }
        Command::Top {
            delay,
            iterations,
            batch,
        } => monitor::top(
            &context()?,
            Duration::from_secs_f64(*delay),
            *iterations,
            *batch,
            cli.json,
        )?,
        Command::Kill { name, signal } => {
            let group = context()?.load(name).map_err(on(name))?;
            group.kill(*signal).map_err(on(name))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The context of `--base`, `--user` and `--delegated`.
pub fn context(cli: &Cli) -> Result<Context, Failure> {
    let layout = match &cli.base {
        Some(base) => Layout::at(base)?,
        None => Layout::discover()?,
    };
    Ok(if cli.delegated {
        Context::new_self(&layout)?
    } else {
        Context::new(layout, cli.user.as_deref())?
    })
}

/// How long `delete --kill` (and `run`) waits for killed processes to be gone.
const KILL_WAIT: Duration = Duration::from_secs(10);

/// Kills every process of the group (SIGKILL) and waits until it is empty.
pub fn kill_all(group: &Cgroup) -> cgroups::Result<()> {
    group.kill(libc::SIGKILL)?;
    group.wait_empty(Some(KILL_WAIT))
}

/// Applies the limits given (each only if given); the memory limit before swap, which v1
/// counts on top of it.
pub fn apply(group: &Cgroup, limits: &Limits) -> cgroups::Result<()> {
    if let Some(percent) = limits.cpu_share {
        group.set_cpu_share_percent(percent)?;
    }
    if let Some(cpus) = limits.cpu_max {
        group.set_cpu_max(cpus)?;
    }
    if let Some(bytes) = limits.memory {
        group.set_memory_limit(bytes, Unit::Bytes)?;
    }
    if let Some(bytes) = limits.memory_high {
        group.set_memory_high(bytes, Unit::Bytes)?;
    }
    if let Some(bytes) = limits.swap {
        group.set_swap_limit(bytes, Unit::Bytes)?;
    }
    if let Some(max) = limits.pids {
        group.set_pids_limit(max)?;
    }
    if let Some(cpus) = &limits.cpus {
        group.set_cpuset(Some(cpus), None)?;
    }
    Ok(())
}

/// What `get` shows: controllers, limits (null where unlimited, `-` in text; absent where the
/// group lacks the controller or the kernel the interface), processes.
fn describe(group: &Cgroup) -> cgroups::Result<Value> {
    let controllers: Vec<String> = group.controllers().iter().map(|c| c.to_string()).collect();
    let cpuset = available(group.cpuset())?;
    Ok(json!({
        "name": group.name(),
        "controllers": controllers,
        "cpu_share_percent": available(group.cpu_share_percent())?,
        "cpu_max": available(group.cpu_max())?.flatten(),
        "cpus": cpuset.as_ref().map(|(cpus, _)| cpus),
        "mems": cpuset.as_ref().map(|(_, mems)| mems),
        "memory_limit_bytes": available(group.memory_limit_bytes())?.flatten(),
        "memory_high_bytes": available(group.memory_high_bytes())?.flatten(),
        "swap_limit_bytes": available(group.swap_limit_bytes())?.flatten(),
        "pids_limit": available(group.pids_limit())?.flatten(),
        "frozen": available(group.frozen())?,
        "pids": group.pids()?,
    }))
}

/// A value, or `None` where the group lacks the controller or the kernel the interface.
fn available<T>(value: cgroups::Result<T>) -> cgroups::Result<Option<T>> {
    match value {
        Ok(value) => Ok(Some(value)),
        Err(Error::ControllerUnavailable { .. } | Error::Unsupported(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Prints a record as JSON, or as `key: value` lines.
fn show(cli: &Cli, record: &Value) {
    if cli.json {
        println!("{record}");
    } else {
        println!("{}", text(record));
    }
}

/// A record as `key: value` lines (`-` for null).
pub fn text(record: &Value) -> String {
    let Value::Object(fields) = record else {
        return record.to_string();
    };
    let lines: Vec<String> = fields
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::Null => "-".to_string(),
                Value::String(text) => text.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().map_or_else(|| item.to_string(), String::from))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            };
            format!("{key}: {text}")
        })
        .collect();
    lines.join("\n")
}

/// Moves this process into the group and replaces it with `command`; returns only on failure
/// (exit status 126 when the command cannot run, 127 when it is not found, as shells do).
fn exec(group: &Cgroup, command: &[std::ffi::OsString]) -> ExitCode {
    let name = group.name();
    if let Err(err) = group.attach_self() {
        eprintln!("cgroups: {name}: cannot join the group: {err}");
        return ExitCode::FAILURE;
    }
    let error = std::process::Command::new(&command[0])
        .args(&command[1..])
        .exec();
    eprintln!("cgroups: {}: {error}", command[0].to_string_lossy());
    ExitCode::from(if error.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    })
}
