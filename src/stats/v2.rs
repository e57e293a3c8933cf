// SPDX-License-Identifier: MIT OR Apache-2.0
//! Statistics from cgroup v2 files (already in bytes and µs).

use super::{StatKinds, Stats};
use crate::keyed;

/// Fills the fields of `kinds` that the v2 file `file` holds.
pub(super) fn apply(kinds: StatKinds, file: &str, text: &[u8], stats: &mut Stats) {
    let wants = |kind| kinds.contains(kind);
    match file {
        "memory.current" => stats.memory_current = keyed::single(text),
        "memory.peak" => stats.memory_peak = keyed::single(text),
        "memory.swap.current" => stats.memory_swap_current = keyed::single(text),
        "memory.stat" => {
            stats.memory_anon = keyed::flat_value(text, "anon");
            stats.memory_file = keyed::flat_value(text, "file");
        }
        "memory.events" => {
            stats.memory_oom_events = keyed::flat_value(text, "oom");
            stats.memory_oom_kills = keyed::flat_value(text, "oom_kill");
            stats.memory_high_events = keyed::flat_value(text, "high");
        }
        "cpu.stat" => {
            if wants(StatKinds::CPU_USAGE) {
                stats.cpu_usage_usec = keyed::flat_value(text, "usage_usec");
                stats.cpu_user_usec = keyed::flat_value(text, "user_usec");
                stats.cpu_system_usec = keyed::flat_value(text, "system_usec");
            }
            if wants(StatKinds::CPU_THROTTLING) {
                stats.cpu_periods = keyed::flat_value(text, "nr_periods");
                stats.cpu_throttled_periods = keyed::flat_value(text, "nr_throttled");
                stats.cpu_throttled_usec = keyed::flat_value(text, "throttled_usec");
            }
        }
        "pids.current" => stats.pids_current = keyed::single(text),
        "pids.events" => stats.pids_max_events = keyed::flat_value(text, "max"),
        "io.stat" => {
            stats.io_read_bytes = io_sum(text, "rbytes");
            stats.io_write_bytes = io_sum(text, "wbytes");
            stats.io_read_ios = io_sum(text, "rios");
            stats.io_write_ios = io_sum(text, "wios");
        }
        _ => {}
    }
}

/// The counter `key` of `io.stat`, summed over devices (no line yet: 0). `None` when a device
/// line lacks it or it is not a number, or the sum overflows.
fn io_sum(text: &[u8], key: &str) -> Option<u64> {
    keyed::nested(text).try_fold(0u64, |acc, line| {
        acc.checked_add(line.get(key)?.parse::<u64>().ok()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($file:literal) => {
            include_bytes!(concat!("../../tests/fixtures/v2-6.1/", $file))
        };
    }

    fn read(kinds: StatKinds, file: &str, text: &[u8]) -> Stats {
        let mut stats = Stats::default();
        apply(kinds, file, text, &mut stats);
        stats
    }

    #[test]
    fn memory_files_give_bytes() {
        let stats = read(StatKinds::ALL, "memory.current", fixture!("memory.current"));
        assert_eq!(stats.memory_current, Some(643_072));
        let stats = read(StatKinds::ALL, "memory.peak", fixture!("memory.peak"));
        assert_eq!(stats.memory_peak, Some(16_777_216));
        let stats = read(StatKinds::ALL, "memory.swap.current", b"0\n");
        assert_eq!(stats.memory_swap_current, Some(0));
        let stats = read(
            StatKinds::MEMORY_STAT,
            "memory.stat",
            fixture!("memory.stat"),
        );
        assert_eq!(
            (stats.memory_anon, stats.memory_file),
            (Some(110_592), Some(4096))
        );
    }

    #[test]
    fn memory_events_give_oom_kills_and_high() {
        let stats = read(
            StatKinds::MEMORY_EVENTS,
            "memory.events",
            fixture!("memory.events.killed"),
        );
        assert_eq!(stats.memory_oom_events, Some(2));
        assert_eq!(stats.memory_oom_kills, Some(1));
        assert_eq!(stats.memory_high_events, Some(34));
    }

    #[test]
    fn cpu_stat_gives_usage_and_throttling_as_asked() {
        let text = fixture!("cpu.stat");
        let usage = read(StatKinds::CPU_USAGE, "cpu.stat", text);
        assert_eq!(usage.cpu_usage_usec, Some(269_911));
        assert!(usage.cpu_user_usec.is_some() && usage.cpu_system_usec.is_some());
        assert_eq!(usage.cpu_periods, None, "not asked for");
        let throttling = read(StatKinds::CPU_THROTTLING, "cpu.stat", text);
        assert_eq!(throttling.cpu_usage_usec, None);
        assert_eq!(throttling.cpu_periods, Some(30));
        assert_eq!(throttling.cpu_throttled_periods, Some(25));
        assert_eq!(throttling.cpu_throttled_usec, Some(2_702_803));
    }

    #[test]
    fn cpu_stat_without_the_cpu_controller_has_usage_only() {
        let text = b"usage_usec 5012\nuser_usec 2000\nsystem_usec 3012\n";
        let stats = read(
            StatKinds::CPU_USAGE | StatKinds::CPU_THROTTLING,
            "cpu.stat",
            text,
        );
        assert_eq!(
            stats.present(),
            StatKinds::CPU_USAGE,
            "no nr_periods without the cpu controller"
        );
    }

    #[test]
    fn pids_files_give_the_count_and_refused_forks() {
        let mut stats = read(StatKinds::PIDS, "pids.current", b"3\n");
        apply(
            StatKinds::PIDS,
            "pids.events",
            fixture!("pids.events.max_hit"),
            &mut stats,
        );
        assert_eq!(stats.pids_current, Some(3));
        assert_eq!(stats.pids_max_events, Some(3));
    }

    #[test]
    fn io_stat_is_summed_over_devices_and_empty_means_no_io_yet() {
        let text = b"8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n\
                     8:0 rbytes=90112 wbytes=4096 rios=3 wios=1 dbytes=0 dios=0\n";
        let stats = read(StatKinds::IO, "io.stat", text);
        assert_eq!(stats.io_read_bytes, Some(1_549_312));
        assert_eq!(stats.io_write_bytes, Some(314_777_600));
        assert_eq!(
            (stats.io_read_ios, stats.io_write_ios),
            (Some(195), Some(354))
        );
        let stats = read(StatKinds::IO, "io.stat", fixture!("io.stat"));
        assert!(stats.present().contains(StatKinds::IO));
        let stats = read(StatKinds::IO, "io.stat", b"");
        assert_eq!(stats.io_read_bytes, Some(0));
    }

    #[test]
    fn truncated_and_unknown_lines_do_not_invent_values() {
        let cut = b"8:0 rbytes=90112 wbytes=4096 rios=3 wios=1\n8:16 rbytes=12 wby";
        let stats = read(StatKinds::IO, "io.stat", cut);
        assert_eq!(stats.io_read_bytes, Some(90_124));
        assert_eq!(stats.io_write_bytes, None, "a device line lacks wbytes");
        let text = b"oom 0\noom_kill 2\nsomething_new 9\nhigh";
        let stats = read(StatKinds::MEMORY_EVENTS, "memory.events", text);
        assert_eq!(stats.memory_oom_kills, Some(2));
        assert_eq!(stats.memory_high_events, None);
    }
}
