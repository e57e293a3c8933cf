//! `user_cgroups [--base PATH] USER`: as root, prepare USER's cgroup subtree so that USER can
//! create, limit and delete their own groups and move their own processes without root.
//! Exit status: 0 done (also when already done), 1 failure, 2 wrong usage.

use std::process::ExitCode;

const USAGE: &str = "usage: user_cgroups [--base PATH] USER

Prepares USER's cgroup subtree (run as root): creates USER's directory in every cgroup
hierarchy and hands it over under the kernel's delegation rules, so that USER can manage their
own groups. Limits root sets on USER's directory keep binding all of USER's groups.

  --base PATH   the cgroup mount to use (default: the host's, from /proc/self/mountinfo)
  --help        show this help";

fn main() -> ExitCode {
    let mut base = None;
    let mut user = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--base" => match args.next() {
                Some(path) => base = Some(path),
                None => return usage_error("--base needs a path"),
            },
            option if option.starts_with('-') => {
                return usage_error(&format!("unknown option {option}"))
            }
            name if user.is_none() => user = Some(name.to_string()),
            extra => return usage_error(&format!("unexpected argument {extra}")),
        }
    }
    let Some(user) = user else {
        return usage_error("missing USER");
    };
    let layout = match base {
        Some(base) => cgroups::Layout::at(base),
        None => cgroups::Layout::discover(),
    };
    match layout.and_then(|layout| cgroups::user::setup(&layout, &user)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("user_cgroups: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(problem: &str) -> ExitCode {
    eprintln!("user_cgroups: {problem}\n{USAGE}");
    ExitCode::from(2)
}
