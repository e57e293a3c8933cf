// SPDX-License-Identifier: MIT OR Apache-2.0
//! The command line, as clap reads it.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::units;

/// Create control groups, run commands in them, limit them, read what they use, clean up — on
/// cgroup v2, v1 and hybrid hosts.
///
/// Groups live in the calling user's subtree (`<hierarchy>/<user>/<name>`); root prepares a
/// user's subtree once with `user_cgroups USER`. Exit status: 0 success, 1 failure (one line on
/// stderr naming the group, the file and the reason), 2 wrong usage; `run` exits with its
/// command's status (128 + the signal when it was killed).
#[derive(Parser, Debug)]
#[command(name = "cgroups", version, propagate_version = true)]
pub struct Cli {
    /// The cgroup mount to use (default: the host's, from /proc/self/mountinfo)
    #[arg(long, global = true, value_name = "PATH")]
    pub base: Option<PathBuf>,
    /// Whose subtree the groups are in: a user name or uid (default: the calling user)
    #[arg(long, global = true, value_name = "USER", conflicts_with = "delegated")]
    pub user: Option<String>,
    /// Work below the cgroup this command runs in (a systemd unit with Delegate=yes, a
    /// container), instead of a user's subtree
    #[arg(long, global = true)]
    pub delegated: bool,
    /// Print data as JSON
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a command in a new group of its own, with the limits given; forward SIGINT, SIGTERM
    /// and SIGHUP to it; exit with its status (128 + the signal that killed it); then kill
    /// what it left behind and delete the group (unless --keep). On a host whose PID 1 is
    /// systemd the group goes below a transient scope with Delegate=yes that systemd makes for
    /// this command, so that a user needs no preparation (unless --no-scope, or --base, --user
    /// or --delegated)
    Run {
        /// The group's name (default: run-<pid of this command>)
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        limits: Limits,
        /// Keep the group, and what the command left in it, after the command exits
        #[arg(long)]
        keep: bool,
        /// Print the group's statistics on stderr when the command has exited
        #[arg(long)]
        stats: bool,
        /// Do not ask systemd for a scope; use the user's subtree
        #[arg(long)]
        no_scope: bool,
        /// The command and its arguments
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<OsString>,
    },
    /// Create a group (or load it if it exists) and apply the limits given
    Create {
        /// The group's name (`job` or `jobs/42`)
        name: String,
        #[command(flatten)]
        limits: Limits,
    },
    /// Change the limits of an existing group
    Set {
        /// The group's name
        name: String,
        #[command(flatten)]
        limits: Limits,
    },
    /// Show an existing group's controllers, limits and processes
    Get {
        /// The group's name
        name: String,
    },
    /// List the groups of the subtree
    List,
    /// Move running processes into an existing group
    Add {
        /// The group's name
        name: String,
        /// The processes to move (whole processes, all their threads)
        #[arg(required = true, value_name = "PID")]
        pids: Vec<i32>,
    },
    /// Run a command inside an existing group, replacing this process (like cgexec)
    Exec {
        /// The group's name
        name: String,
        /// The command and its arguments
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<OsString>,
    },
    /// Delete a group: its processes move back to the user's group (nobody is killed, unless
    /// --kill)
    Delete {
        /// The group's name
        name: String,
        /// Kill the group's processes first (SIGKILL, also those they fork meanwhile)
        #[arg(long)]
        kill: bool,
    },
    /// Freeze every process of a group (they stop until thawed)
    Freeze {
        /// The group's name
        name: String,
    },
    /// Thaw a frozen group
    Thaw {
        /// The group's name
        name: String,
    },
    /// Show what an existing group uses: memory, CPU time, throttling, processes, I/O
    Stats {
        /// The group's name
        name: String,
        /// Show them again every SECS seconds, until interrupted
        #[arg(long, value_name = "SECS", value_parser = units::parse_seconds)]
        watch: Option<f64>,
    },
    /// Print one line per event of an existing group until interrupted: empty (the last
    /// process left), oom, memory_high, pids_max (a fork refused), frozen
    Events {
        /// The group's name
        name: String,
    },
    /// A live table of the subtree's groups, like systemd-cgtop: tasks, %CPU, memory, pressure
    Top {
        /// Seconds between refreshes
        #[arg(long, short, default_value = "1", value_parser = units::parse_seconds)]
        delay: f64,
        /// Stop after N refreshes (0: run until interrupted)
        #[arg(long, short = 'n', default_value = "0", value_name = "N")]
        iterations: u64,
        /// Print each table after the last instead of redrawing the screen (for scripts and logs)
        #[arg(long, short)]
        batch: bool,
    },
    /// Signal every process of a group and of its child groups, including those forked
    /// meanwhile
    Kill {
        /// The group's name
        name: String,
        /// The signal (TERM, KILL, HUP, 9 ...)
        #[arg(long, short, default_value = "KILL", value_parser = units::parse_signal)]
        signal: i32,
    },
}

/// Limits, for `create` and `set`.
#[derive(Args, Debug, Default)]
pub struct Limits {
    /// CPU share in percent of the default, under contention (50%)
    #[arg(long = "cpu", value_name = "PERCENT", value_parser = units::parse_percent)]
    pub cpu_share: Option<f64>,
    /// Hard CPU cap, in CPUs (1.5 = one and a half CPUs)
    #[arg(long = "cpu-max", value_name = "CPUS", value_parser = units::parse_cpus)]
    pub cpu_max: Option<f64>,
    /// Memory limit (500M, 2G; K/M/G/T are ×1024 steps)
    #[arg(long, value_name = "SIZE", value_parser = units::parse_size)]
    pub memory: Option<u64>,
    /// Memory throttling threshold (cgroup v2 only)
    #[arg(long = "memory-high", value_name = "SIZE", value_parser = units::parse_size)]
    pub memory_high: Option<u64>,
    /// Swap allowed on top of the memory limit (0: no swap)
    #[arg(long, value_name = "SIZE", value_parser = units::parse_size)]
    pub swap: Option<u64>,
    /// Most processes at once (0: no new process)
    #[arg(long, value_name = "N")]
    pub pids: Option<u64>,
    /// CPUs to run on, in the kernel's list syntax (0-3,6)
    #[arg(long, value_name = "LIST")]
    pub cpus: Option<String>,
}
