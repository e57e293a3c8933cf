// SPDX-License-Identifier: MIT OR Apache-2.0
//! `cgroups`: the command line for everyday jobs — what people do with cgcreate, cgset, cgget,
//! cgexec, cgclassify, cgdelete and lscgroup — built on the library's public Rust API.

mod args;
mod commands;
mod monitor;
mod run;
mod units;

use std::process::ExitCode;

use clap::Parser;

use args::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(&cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("cgroups: {failure}");
            ExitCode::FAILURE
        }
    }
}
