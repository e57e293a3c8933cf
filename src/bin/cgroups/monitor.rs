// SPDX-License-Identifier: MIT OR Apache-2.0
//! The subcommands that watch groups: `stats`, `events` and `top`.

use std::io::Write;
use std::thread::sleep;
use std::time::{Duration, Instant};

use cgroups::{Cgroup, Context, Error, Events, Pressure, Resource, StatKinds, Stats};
use serde_json::{json, Map, Value};

/// The statistics of a group as a record: every field, `null` where the host cannot give it.
pub fn stats_record(group: &Cgroup, stats: &Stats) -> Value {
    let mut record = Map::new();
    record.insert("name".into(), json!(group.name()));
    for (key, value) in [
        ("memory_current", stats.memory_current),
        ("memory_peak", stats.memory_peak),
        ("memory_swap_current", stats.memory_swap_current),
        ("memory_anon", stats.memory_anon),
        ("memory_file", stats.memory_file),
        ("memory_oom_events", stats.memory_oom_events),
        ("memory_oom_kills", stats.memory_oom_kills),
        ("memory_high_events", stats.memory_high_events),
        ("cpu_usage_usec", stats.cpu_usage_usec),
        ("cpu_user_usec", stats.cpu_user_usec),
        ("cpu_system_usec", stats.cpu_system_usec),
        ("cpu_periods", stats.cpu_periods),
        ("cpu_throttled_periods", stats.cpu_throttled_periods),
        ("cpu_throttled_usec", stats.cpu_throttled_usec),
        ("pids_current", stats.pids_current),
        ("pids_max_events", stats.pids_max_events),
        ("io_read_bytes", stats.io_read_bytes),
        ("io_write_bytes", stats.io_write_bytes),
        ("io_read_ios", stats.io_read_ios),
        ("io_write_ios", stats.io_write_ios),
    ] {
        record.insert(key.into(), json!(value));
    }
    Value::Object(record)
}

/// `stats NAME [--watch SECS]`: one record, or one every SECS until interrupted.
pub fn stats(
    context: &Context,
    name: &str,
    every: Option<f64>,
    print: &dyn Fn(&Value),
) -> cgroups::Result<()> {
    let group = context.load(name)?;
    loop {
        print(&stats_record(&group, &group.stats(StatKinds::ALL)?));
        match every {
            Some(seconds) => sleep(Duration::from_secs_f64(seconds)),
            None => return Ok(()),
        }
    }
}

/// `events NAME`: one line per event until interrupted, or until the group is removed.
pub fn events(context: &Context, name: &str, json_lines: bool) -> cgroups::Result<()> {
    let group = context.load(name)?;
    // Every event the group can report: a group without memory has no OOM, v1 no MEMORY_HIGH.
    let mut wanted = Events::NONE;
    for event in [
        Events::EMPTY,
        Events::OOM,
        Events::MEMORY_HIGH,
        Events::PIDS_MAX,
        Events::FROZEN,
    ] {
        match group.watch(event) {
            Ok(_) => wanted |= event,
            Err(Error::Unsupported(_) | Error::ControllerUnavailable { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    let mut watch = group.watch(wanted)?;
    let started = Instant::now();
    let mut out = std::io::stdout().lock();
    loop {
        let fired = match watch.wait(None) {
            Ok(fired) => fired,
            Err(Error::NotFound { .. }) => return Ok(()),
            Err(err) => return Err(err),
        };
        for (event, label) in [
            (Events::EMPTY, "empty"),
            (Events::OOM, "oom"),
            (Events::MEMORY_HIGH, "memory_high"),
            (Events::PIDS_MAX, "pids_max"),
            (Events::FROZEN, "frozen"),
        ] {
            if !fired.contains(event) {
                continue;
            }
            let seconds = started.elapsed().as_secs_f64();
            let line = if json_lines {
                json!({"group": name, "event": label, "seconds": seconds}).to_string()
            } else {
                format!("{seconds:.3} {name} {label}")
            };
            // A closed pipe (`events g | head -1`) ends the command quietly.
            if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                return Ok(());
            }
        }
    }
}

/// One row of `top`.
struct Row {
    name: String,
    pids: Option<u64>,
    cpu_percent: Option<f64>,
    memory: Option<u64>,
    cpu_pressure: Option<f64>,
    memory_pressure: Option<f64>,
}

/// `top`: the subtree's groups as a table like systemd-cgtop's, refreshed every `delay`,
/// `iterations` times (0: until interrupted); `batch` prints each table after the previous
/// one instead of redrawing the screen.
pub fn top(
    context: &Context,
    delay: Duration,
    iterations: u64,
    batch: bool,
    json_lines: bool,
) -> cgroups::Result<()> {
    let want = StatKinds::CPU_USAGE | StatKinds::MEMORY_CURRENT | StatKinds::PIDS;
    let mut previous: Vec<(String, u64, Instant)> = Vec::new();
    let mut shown = 0;
    loop {
        let mut rows = Vec::new();
        let mut now_usage = Vec::new();
        for name in context.groups()? {
            let group = match context.load(&name) {
                Ok(group) => group,
                Err(Error::NotFound { .. }) => continue,
                Err(err) => return Err(err),
            };
            let stats = match group.stats(want) {
                Ok(stats) => stats,
                Err(Error::NotFound { .. }) => continue,
                Err(err) => return Err(err),
            };
            let at = Instant::now();
            let cpu_percent = stats.cpu_usage_usec.and_then(|usage| {
                now_usage.push((name.clone(), usage, at));
                let (_, before, then) = previous.iter().find(|(n, _, _)| *n == name)?;
                let wall = at.duration_since(*then).as_micros() as f64;
                (wall > 0.0).then(|| usage.saturating_sub(*before) as f64 * 100.0 / wall)
            });
            rows.push(Row {
                pids: stats.pids_current,
                memory: stats.memory_current,
                cpu_percent,
                cpu_pressure: some_avg10(group.pressure(Resource::Cpu)),
                memory_pressure: some_avg10(group.pressure(Resource::Memory)),
                name,
            });
        }
        previous = now_usage;
        rows.sort_by(|a, b| {
            b.cpu_percent
                .unwrap_or(-1.0)
                .total_cmp(&a.cpu_percent.unwrap_or(-1.0))
                .then(b.memory.cmp(&a.memory))
                .then(a.name.cmp(&b.name))
        });
        print_table(&rows, batch, json_lines);
        shown += 1;
        if iterations != 0 && shown >= iterations {
            return Ok(());
        }
        sleep(delay);
    }
}

fn some_avg10(pressure: cgroups::Result<Pressure>) -> Option<f64> {
    pressure.ok().map(|p| p.some.avg10)
}

/// The terminal's size from `COLUMNS`/`LINES` or the terminal, else 80×24.
fn terminal_size() -> (usize, usize) {
    let from_env = |name: &str| std::env::var(name).ok()?.parse::<usize>().ok();
    let mut size = (from_env("COLUMNS"), from_env("LINES"));
    if size.0.is_none() || size.1.is_none() {
        let mut window = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ fills a winsize; stdout may not be a terminal (then it fails).
        if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut window) } == 0
            && window.ws_col > 0
        {
            size = (
                size.0.or(Some(window.ws_col.into())),
                size.1.or(Some(window.ws_row.into())),
            );
        }
    }
    (size.0.unwrap_or(80), size.1.unwrap_or(24))
}

fn print_table(rows: &[Row], batch: bool, json_lines: bool) {
    if json_lines {
        let table: Vec<Value> = rows
            .iter()
            .map(|row| {
                json!({
                    "name": row.name, "pids": row.pids, "cpu_percent": row.cpu_percent,
                    "memory_current": row.memory, "cpu_pressure_avg10": row.cpu_pressure,
                    "memory_pressure_avg10": row.memory_pressure,
                })
            })
            .collect();
        println!("{}", json!(table));
        return;
    }
    let (columns, lines) = terminal_size();
    let number = |value: Option<u64>| value.map_or("-".to_string(), |v| v.to_string());
    let percent = |value: Option<f64>| value.map_or("-".to_string(), |v| format!("{v:.1}"));
    let bytes = |value: Option<u64>| value.map_or("-".to_string(), human_bytes);
    let name_width = columns.saturating_sub(6 + 8 + 10 + 8 + 8 + 5).max(10);
    let mut text = String::new();
    if !batch {
        text.push_str("\x1b[H\x1b[2J");
    }
    text.push_str(&format!(
        "{:<name_width$} {:>6} {:>8} {:>10} {:>8} {:>8}\n",
        "Group", "Tasks", "%CPU", "Memory", "CPU-PSI", "Mem-PSI"
    ));
    for row in rows.iter().take(lines.saturating_sub(2).max(1)) {
        let name: String = row.name.chars().take(name_width).collect();
        text.push_str(&format!(
            "{:<name_width$} {:>6} {:>8} {:>10} {:>8} {:>8}\n",
            name,
            number(row.pids),
            percent(row.cpu_percent),
            bytes(row.memory),
            percent(row.cpu_pressure),
            percent(row.memory_pressure),
        ));
    }
    if batch {
        text.push('\n');
    }
    print!("{text}");
    let _ = std::io::stdout().flush();
}

/// `123.4M`-style sizes (×1024 steps).
fn human_bytes(bytes: u64) -> String {
    let mut value = bytes as f64;
    for unit in ["B", "K", "M", "G", "T"] {
        if value < 1024.0 || unit == "T" {
            return if unit == "B" {
                format!("{bytes}B")
            } else {
                format!("{value:.1}{unit}")
            };
        }
        value /= 1024.0;
    }
    format!("{bytes}B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_shown_in_binary_units() {
        assert_eq!(human_bytes(512), "512B");
        assert_eq!(human_bytes(1536), "1.5K");
        assert_eq!(human_bytes(500 << 20), "500.0M");
        assert_eq!(human_bytes(3 << 40), "3.0T");
    }
}
