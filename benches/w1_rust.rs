// SPDX-License-Identifier: MIT OR Apache-2.0
//! W1 through the Rust API (see benches/run): prints "cycles=N cpu=S wall=S".
//! usage: w1_rust N BASE

use std::process::{Command, Stdio};
use std::time::Instant;

use cgroups::{Context, Controller, Controllers, Layout, Selection, Unit};

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(cycles), Some(base)) = (args.get(1).and_then(|n| n.parse::<u64>().ok()), args.get(2))
    else {
        return Err("usage: w1_rust N BASE".into());
    };
    let context = Context::new(Layout::at(base)?, None)?;
    let selection = Selection::Only(Controllers::from(Controller::Cpu).with(Controller::Memory));
    let mut sleeper = Command::new("sleep")
        .arg("3600")
        .stdin(Stdio::null())
        .spawn()?;
    let pid = sleeper.id() as i32;

    let (cpu_start, wall_start) = (cpu_seconds(), Instant::now());
    for _ in 0..cycles {
        let group = context.open("w1-rust", selection)?;
        group.set_cpu_share_percent(50.0)?;
        group.set_memory_limit(500, Unit::Megabytes)?;
        group.add(pid)?;
        group.cpu_share_percent()?;
        group.memory_limit_bytes()?;
        group.remove(pid)?;
        group.delete()?;
    }
    let (cpu, wall) = (
        cpu_seconds() - cpu_start,
        wall_start.elapsed().as_secs_f64(),
    );
    println!("cycles={cycles} cpu={cpu:.6} wall={wall:.6}");
    sleeper.kill()?;
    sleeper.wait()?;
    Ok(())
}
