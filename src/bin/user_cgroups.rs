// SPDX-License-Identifier: MIT OR Apache-2.0
//! `user_cgroups [--base PATH] USER`: as root, prepare USER's cgroup subtree so that USER can
//! create, limit and delete their own groups and move their own processes without root.
//! Exit status: 0 done (also when already done), 1 failure, 2 wrong usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Prepares USER's cgroup subtree (run as root): creates USER's directory in every cgroup
/// hierarchy and hands it over under the kernel's delegation rules, so that USER can manage
/// their own groups. Limits root sets on USER's directory keep binding all of USER's groups.
///
/// Exit status: 0 done (also when it was done before), 1 failure, 2 wrong usage.
#[derive(Parser)]
#[command(name = "user_cgroups", version)]
struct Arguments {
    /// The cgroup mount to use (default: the host's, from /proc/self/mountinfo)
    #[arg(long, value_name = "PATH")]
    base: Option<PathBuf>,
    /// The user to prepare: a name from the passwd database, or a numeric uid
    #[arg(value_name = "USER")]
    user: String,
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    let layout = match &arguments.base {
        Some(base) => cgroups::Layout::at(base),
        None => cgroups::Layout::discover(),
    };
    match layout.and_then(|layout| cgroups::delegate_subtree(&layout, &arguments.user)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("user_cgroups: {err}");
            ExitCode::FAILURE
        }
    }
}
