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
    /// Delete a group: its processes move back to the user's group (nobody is killed)
    Delete {
        /// The group's name
        name: String,
    },
}

/// Limits, for `create` and `set`.
#[derive(Args, Debug, Default)]
pub struct Limits {
    /// CPU share in percent of the default, under contention (50%)
    #[arg(long = "cpu", value_name = "PERCENT", value_parser = units::parse_percent)]
    pub cpu_share: Option<f64>,
    /// Memory limit (500M, 2G; K/M/G/T are ×1024 steps)
    #[arg(long, value_name = "SIZE", value_parser = units::parse_size)]
    pub memory: Option<u64>,
}
