// SPDX-License-Identifier: MIT OR Apache-2.0
//! Statistics from cgroup v1 files, converted to the units of [`Stats`]: `cpuacct.usage` and
//! `throttled_time` are nanoseconds, `cpuacct.stat` counts clock ticks (USER_HZ).

use super::{StatKinds, Stats, Units};
use crate::keyed;

/// Fills the fields of `kinds` that the v1 file `file` holds.
pub(super) fn apply(kinds: StatKinds, file: &str, text: &[u8], units: Units, stats: &mut Stats) {
    let wants = |kind| kinds.contains(kind);
    match file {
        "memory.usage_in_bytes" => stats.memory_current = keyed::single(text),
        "memory.max_usage_in_bytes" => stats.memory_peak = keyed::single(text),
        "memory.stat" => {
            if wants(StatKinds::MEMORY_SWAP) {
                stats.memory_swap_current = keyed::flat_value(text, "total_swap");
            }
            if wants(StatKinds::MEMORY_STAT) {
                stats.memory_anon = keyed::flat_value(text, "total_rss");
                stats.memory_file = keyed::flat_value(text, "total_cache");
            }
        }
        "memory.oom_control" => stats.memory_oom_kills = keyed::flat_value(text, "oom_kill"),
        "cpuacct.usage" => stats.cpu_usage_usec = keyed::single(text).map(|ns| ns / 1000),
        "cpuacct.stat" => {
            let usec = |ticks: u64| ticks_to_usec(ticks, units.clock_ticks);
            stats.cpu_user_usec = keyed::flat_value(text, "user").and_then(usec);
            stats.cpu_system_usec = keyed::flat_value(text, "system").and_then(usec);
        }
        "cpu.stat" => {
            stats.cpu_periods = keyed::flat_value(text, "nr_periods");
            stats.cpu_throttled_periods = keyed::flat_value(text, "nr_throttled");
            stats.cpu_throttled_usec =
                keyed::flat_value(text, "throttled_time").map(|ns| ns / 1000);
        }
        "pids.current" => stats.pids_current = keyed::single(text),
        "pids.events" => stats.pids_max_events = keyed::flat_value(text, "max"),
        "blkio.throttle.io_service_bytes_recursive" => {
            (stats.io_read_bytes, stats.io_write_bytes) = read_write_sums(text);
        }
        "blkio.throttle.io_serviced_recursive" => {
            (stats.io_read_ios, stats.io_write_ios) = read_write_sums(text);
        }
        _ => {}
    }
}

/// Clock ticks as µs; `None` on overflow.
fn ticks_to_usec(ticks: u64, ticks_per_second: u64) -> Option<u64> {
    let usec = u128::from(ticks) * 1_000_000 / u128::from(ticks_per_second.max(1));
    u64::try_from(usec).ok()
}

/// The `Read` and `Write` counts of a blkio file, summed over devices (a file without device
/// lines, as before any I/O, sums to 0).
fn read_write_sums(text: &[u8]) -> (Option<u64>, Option<u64>) {
    let sum = |wanted: &str| {
        keyed::device_ops(text)
            .filter(|(_, operation, _)| *operation == wanted)
            .try_fold(0u64, |acc, (_, _, value)| acc.checked_add(value))
    };
    (sum("Read"), sum("Write"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HZ_100: Units = Units { clock_ticks: 100 };

    macro_rules! fixture {
        ($file:literal) => {
            include_bytes!(concat!("../../tests/fixtures/v1-6.18/", $file))
        };
    }

    fn read(kinds: StatKinds, file: &str, text: &[u8]) -> Stats {
        let mut stats = Stats::default();
        apply(kinds, file, text, HZ_100, &mut stats);
        stats
    }

    #[test]
    fn memory_stat_gives_anon_file_and_swap_of_the_whole_subtree() {
        let stats = read(StatKinds::ALL, "memory.stat", fixture!("memory.stat"));
        assert_eq!(stats.memory_anon, Some(118_784));
        assert_eq!(stats.memory_file, Some(98_304));
        assert_eq!(stats.memory_swap_current, Some(0));
        let text = b"cache 1\nrss 2\nswap 3\ntotal_cache 98304\ntotal_rss 118784\n\
                     total_swap 4096\nnew_counter_2030 5\n";
        let stats = read(StatKinds::MEMORY_STAT, "memory.stat", text);
        assert_eq!(
            (stats.memory_anon, stats.memory_file),
            (Some(118_784), Some(98_304))
        );
        assert_eq!(stats.memory_swap_current, None, "not asked for");
        let stats = read(StatKinds::MEMORY_SWAP, "memory.stat", text);
        assert_eq!(stats.memory_swap_current, Some(4096));
    }

    #[test]
    fn memory_stat_without_swap_accounting_has_no_swap() {
        let text = b"cache 0\nrss 0\ntotal_cache 0\ntotal_rss 0\n";
        let stats = read(StatKinds::MEMORY_SWAP, "memory.stat", text);
        assert_eq!(stats.memory_swap_current, None);
    }

    #[test]
    fn oom_control_gives_the_kill_count_only() {
        let stats = read(
            StatKinds::MEMORY_EVENTS,
            "memory.oom_control",
            fixture!("memory.oom_control.killed"),
        );
        assert_eq!(stats.memory_oom_kills, Some(1));
        assert_eq!(stats.memory_oom_events, None);
        assert_eq!(stats.memory_high_events, None);
        assert!(stats.present().contains(StatKinds::MEMORY_EVENTS));
        let before_4_13 = b"oom_kill_disable 0\nunder_oom 0\n";
        let stats = read(StatKinds::MEMORY_EVENTS, "memory.oom_control", before_4_13);
        assert!(!stats.present().contains(StatKinds::MEMORY_EVENTS));
    }

    #[test]
    fn cpuacct_nanoseconds_and_ticks_become_microseconds() {
        let mut stats = read(
            StatKinds::CPU_USAGE,
            "cpuacct.usage",
            fixture!("cpuacct.usage"),
        );
        apply(
            StatKinds::CPU_USAGE,
            "cpuacct.stat",
            fixture!("cpuacct.stat"),
            HZ_100,
            &mut stats,
        );
        assert_eq!(stats.cpu_usage_usec, Some(158_671));
        assert_eq!(stats.cpu_user_usec, Some(90_000));
        assert_eq!(stats.cpu_system_usec, Some(60_000));
        assert!(stats.present().contains(StatKinds::CPU_USAGE));
        let hz_250 = Units { clock_ticks: 250 };
        let mut stats = Stats::default();
        apply(
            StatKinds::CPU_USAGE,
            "cpuacct.stat",
            b"user 9\nsystem 6\n",
            hz_250,
            &mut stats,
        );
        assert_eq!(stats.cpu_user_usec, Some(36_000));
        assert_eq!(ticks_to_usec(u64::MAX, 100), None);
    }

    #[test]
    fn cpu_stat_throttled_time_is_converted_from_nanoseconds() {
        let stats = read(
            StatKinds::CPU_THROTTLING,
            "cpu.stat",
            fixture!("cpu.stat.throttled"),
        );
        assert_eq!(stats.cpu_periods, Some(130));
        assert_eq!(stats.cpu_throttled_periods, Some(128));
        assert_eq!(stats.cpu_throttled_usec, Some(12_541_426));
    }

    #[test]
    fn pids_files_give_the_count_and_refused_forks() {
        let mut stats = read(StatKinds::PIDS, "pids.current", fixture!("pids.current"));
        apply(
            StatKinds::PIDS,
            "pids.events",
            fixture!("pids.events.max_hit"),
            HZ_100,
            &mut stats,
        );
        assert_eq!(
            (stats.pids_current, stats.pids_max_events),
            (Some(0), Some(1))
        );
    }

    #[test]
    fn blkio_counts_are_summed_over_devices() {
        let mut stats = read(
            StatKinds::IO,
            "blkio.throttle.io_service_bytes_recursive",
            fixture!("blkio.throttle.io_service_bytes_recursive"),
        );
        apply(
            StatKinds::IO,
            "blkio.throttle.io_serviced_recursive",
            fixture!("blkio.throttle.io_serviced_recursive"),
            HZ_100,
            &mut stats,
        );
        assert_eq!(stats.io_read_bytes, Some(8_388_608));
        assert_eq!(stats.io_write_bytes, Some(8_388_608));
        assert_eq!((stats.io_read_ios, stats.io_write_ios), (Some(8), Some(16)));
        let two = b"8:0 Read 10\n8:16 Read 5\n8:16 Write 1\nTotal 16\n";
        let stats = read(StatKinds::IO, "blkio.throttle.io_serviced_recursive", two);
        assert_eq!((stats.io_read_ios, stats.io_write_ios), (Some(15), Some(1)));
        let none_yet = read(
            StatKinds::IO,
            "blkio.throttle.io_serviced_recursive",
            b"Total 0\n",
        );
        assert_eq!(none_yet.io_read_ios, Some(0));
        let overflow = b"8:0 Read 18446744073709551615\n8:16 Read 1\n";
        let stats = read(
            StatKinds::IO,
            "blkio.throttle.io_serviced_recursive",
            overflow,
        );
        assert_eq!(stats.io_read_ios, None);
    }

    #[test]
    fn truncated_and_garbled_files_leave_fields_absent() {
        let stats = read(StatKinds::ALL, "memory.usage_in_bytes", b"76185");
        assert_eq!(
            stats.memory_current,
            Some(76185),
            "a cut number cannot be told apart"
        );
        for text in [&b""[..], b"\xff\n", b"max\n", b"12 34\n"] {
            let stats = read(StatKinds::ALL, "memory.usage_in_bytes", text);
            assert_eq!(stats.memory_current, None, "{text:?}");
        }
        let stats = read(StatKinds::CPU_USAGE, "cpuacct.stat", b"user 9\nsyst");
        assert_eq!(
            (stats.cpu_user_usec, stats.cpu_system_usec),
            (Some(90_000), None)
        );
        assert!(!stats.present().contains(StatKinds::CPU_USAGE));
    }
}
