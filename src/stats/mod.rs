// SPDX-License-Identifier: MIT OR Apache-2.0
//! Statistics of a group: what it uses (memory, CPU, processes, I/O) and what happened to it
//! (OOM kills, throttling, refused forks), read from the files of the hierarchy serving each
//! controller. Each field keeps "absent" (the host cannot give it) apart from 0, and only the
//! files the caller's selection needs are read.
//!
//! `plan.rs` says which files a selection needs on each layout; `v1.rs` and `v2.rs` turn the
//! files' contents into fields (pure functions, tested on files copied from real kernels);
//! `reader.rs` keeps the files open for monitors that read the same groups again and again.

mod plan;
mod reader;
mod v1;
mod v2;

pub use reader::StatsReader;

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::group_dir::GroupDir;
use crate::layout::Version;

/// A set of kinds of statistics: what to read, and what a host could give. The bits are the C
/// API's `CGROUPS_STAT_*` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StatKinds(u64);

impl StatKinds {
    /// Nothing.
    pub const NONE: StatKinds = StatKinds(0);
    /// [`Stats::memory_current`].
    pub const MEMORY_CURRENT: StatKinds = StatKinds(1);
    /// [`Stats::memory_peak`].
    pub const MEMORY_PEAK: StatKinds = StatKinds(2);
    /// [`Stats::memory_swap_current`].
    pub const MEMORY_SWAP: StatKinds = StatKinds(4);
    /// [`Stats::memory_anon`] and [`Stats::memory_file`].
    pub const MEMORY_STAT: StatKinds = StatKinds(8);
    /// [`Stats::memory_oom_events`], [`Stats::memory_oom_kills`], [`Stats::memory_high_events`].
    pub const MEMORY_EVENTS: StatKinds = StatKinds(16);
    /// [`Stats::cpu_usage_usec`], [`Stats::cpu_user_usec`], [`Stats::cpu_system_usec`].
    pub const CPU_USAGE: StatKinds = StatKinds(32);
    /// [`Stats::cpu_periods`], [`Stats::cpu_throttled_periods`], [`Stats::cpu_throttled_usec`].
    pub const CPU_THROTTLING: StatKinds = StatKinds(64);
    /// [`Stats::pids_current`] and [`Stats::pids_max_events`].
    pub const PIDS: StatKinds = StatKinds(128);
    /// [`Stats::io_read_bytes`], [`Stats::io_write_bytes`], [`Stats::io_read_ios`],
    /// [`Stats::io_write_ios`].
    pub const IO: StatKinds = StatKinds(256);
    /// Every kind.
    pub const ALL: StatKinds = StatKinds(511);

    /// Every kind, one at a time, in bit order.
    const EACH: [StatKinds; 9] = [
        StatKinds::MEMORY_CURRENT,
        StatKinds::MEMORY_PEAK,
        StatKinds::MEMORY_SWAP,
        StatKinds::MEMORY_STAT,
        StatKinds::MEMORY_EVENTS,
        StatKinds::CPU_USAGE,
        StatKinds::CPU_THROTTLING,
        StatKinds::PIDS,
        StatKinds::IO,
    ];

    /// The kinds of the set, one at a time, in bit order.
    pub fn iter(self) -> impl Iterator<Item = StatKinds> {
        StatKinds::EACH
            .into_iter()
            .filter(move |&kind| self.contains(kind))
    }
}

crate::flag_set::flag_set_ops!(StatKinds, u64, "kind");

/// A group's statistics. `None` means the host could not give the field (or it was not asked
/// for); a number is what the kernel reported, converted to the unit in the field's name.
/// Values include the group's descendants, as the kernel counts them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Memory in use, bytes (v2 `memory.current`, v1 `memory.usage_in_bytes`).
    pub memory_current: Option<u64>,
    /// Highest memory use seen, bytes (v2 `memory.peak`, Linux 5.19+; v1
    /// `memory.max_usage_in_bytes`).
    pub memory_peak: Option<u64>,
    /// Swap in use, bytes (v2 `memory.swap.current`; v1 `total_swap` of `memory.stat`, with swap
    /// accounting only).
    pub memory_swap_current: Option<u64>,
    /// Anonymous memory, bytes (v2 `anon` of `memory.stat`; v1 `total_rss`).
    pub memory_anon: Option<u64>,
    /// Page cache, tmpfs included, bytes (v2 `file` of `memory.stat`; v1 `total_cache`).
    pub memory_file: Option<u64>,
    /// Times the group reached its memory limit and the OOM killer was invoked (v2 `oom` of
    /// `memory.events`; v1 counts none: `None`).
    pub memory_oom_events: Option<u64>,
    /// Processes of the group killed by the OOM killer (v2 `oom_kill` of `memory.events`; v1
    /// `oom_kill` of `memory.oom_control`, Linux 4.13+).
    pub memory_oom_kills: Option<u64>,
    /// Times the group went over `memory.high` (v2 `high` of `memory.events`; v1 has no
    /// `memory.high`: `None`).
    pub memory_high_events: Option<u64>,
    /// CPU time used, µs (v2 `usage_usec` of `cpu.stat`; v1 `cpuacct.usage`, from ns).
    pub cpu_usage_usec: Option<u64>,
    /// CPU time in user mode, µs (v2 `user_usec`; v1 `user` of `cpuacct.stat`, from clock ticks).
    pub cpu_user_usec: Option<u64>,
    /// CPU time in kernel mode, µs (v2 `system_usec`; v1 `system` of `cpuacct.stat`).
    pub cpu_system_usec: Option<u64>,
    /// Enforcement periods of the CPU cap that had runnable tasks (`nr_periods` of `cpu.stat`).
    pub cpu_periods: Option<u64>,
    /// Periods in which the group was throttled (`nr_throttled`).
    pub cpu_throttled_periods: Option<u64>,
    /// Time spent throttled, µs (v2 `throttled_usec`; v1 `throttled_time`, from ns).
    pub cpu_throttled_usec: Option<u64>,
    /// Processes (and threads) in the group (`pids.current`).
    pub pids_current: Option<u64>,
    /// Forks refused because of `pids.max` (`max` of `pids.events`).
    pub pids_max_events: Option<u64>,
    /// Bytes read, summed over devices (v2 `rbytes` of `io.stat`; v1 `Read` of
    /// `blkio.throttle.io_service_bytes_recursive`).
    pub io_read_bytes: Option<u64>,
    /// Bytes written, summed over devices (v2 `wbytes`; v1 `Write`).
    pub io_write_bytes: Option<u64>,
    /// Read operations, summed over devices (v2 `rios`; v1 `Read` of
    /// `blkio.throttle.io_serviced_recursive`).
    pub io_read_ios: Option<u64>,
    /// Write operations, summed over devices (v2 `wios`; v1 `Write`).
    pub io_write_ios: Option<u64>,
}

impl Stats {
    /// The kinds the host gave: those whose fields are all there. [`StatKinds::MEMORY_EVENTS`]
    /// needs only [`Stats::memory_oom_kills`] (v1 has the kill count and nothing else).
    pub fn present(&self) -> StatKinds {
        let all = |fields: &[Option<u64>]| fields.iter().all(Option::is_some);
        let kinds = [
            (StatKinds::MEMORY_CURRENT, all(&[self.memory_current])),
            (StatKinds::MEMORY_PEAK, all(&[self.memory_peak])),
            (StatKinds::MEMORY_SWAP, all(&[self.memory_swap_current])),
            (
                StatKinds::MEMORY_STAT,
                all(&[self.memory_anon, self.memory_file]),
            ),
            (StatKinds::MEMORY_EVENTS, all(&[self.memory_oom_kills])),
            (
                StatKinds::CPU_USAGE,
                all(&[
                    self.cpu_usage_usec,
                    self.cpu_user_usec,
                    self.cpu_system_usec,
                ]),
            ),
            (
                StatKinds::CPU_THROTTLING,
                all(&[
                    self.cpu_periods,
                    self.cpu_throttled_periods,
                    self.cpu_throttled_usec,
                ]),
            ),
            (
                StatKinds::PIDS,
                all(&[self.pids_current, self.pids_max_events]),
            ),
            (
                StatKinds::IO,
                all(&[
                    self.io_read_bytes,
                    self.io_write_bytes,
                    self.io_read_ios,
                    self.io_write_ios,
                ]),
            ),
        ];
        kinds
            .into_iter()
            .filter(|&(_, present)| present)
            .fold(StatKinds::NONE, |acc, (kind, _)| acc | kind)
    }
}

/// Conversions that depend on the running system.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Units {
    /// Clock ticks per second of `cpuacct.stat` (USER_HZ).
    pub clock_ticks: u64,
}

impl Units {
    /// This system's: `sysconf(_SC_CLK_TCK)` (USER_HZ, which the kernel fixes at 100 on every
    /// architecture it supports today: the fallback should sysconf fail).
    pub(crate) fn of_this_system() -> Units {
        // SAFETY: sysconf has no preconditions.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        Units {
            clock_ticks: u64::try_from(ticks).ok().filter(|&t| t > 0).unwrap_or(100),
        }
    }
}

/// Fills the fields of `kinds` that `file` (of a `version` hierarchy) holds, from its content.
pub(crate) fn apply(
    kinds: StatKinds,
    version: Version,
    file: &str,
    content: &[u8],
    units: Units,
    stats: &mut Stats,
) {
    match version {
        Version::V1 => v1::apply(kinds, file, content, units, stats),
        Version::V2 => v2::apply(kinds, file, content, stats),
    }
}

/// A group directory compared by identity, for the plan.
#[derive(Clone, Copy, Debug)]
struct DirRef<'a>(&'a GroupDir);

impl PartialEq for DirRef<'_> {
    fn eq(&self, other: &DirRef<'_>) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Cgroup {
    /// The directory each kind of statistic is read from, with its hierarchy's version.
    fn stats_dir(&self, role: plan::Role) -> Option<(DirRef<'_>, Version)> {
        let dir = match role {
            plan::Role::Of(controller) => self.dir(controller).ok(),
            plan::Role::CpuUsage => self.cpuacct_dir().or_else(|| self.unified_dir()),
        }?;
        Some((DirRef(dir), dir.version()))
    }

    /// Reads the statistics of kinds `want`, reading only the files they need (for example
    /// `memory.current` and `cpu.stat` for memory and CPU usage on v2). A kind the group cannot
    /// give — its controller was not opened, or the kernel lacks the file — is left `None`; see
    /// [`Stats::present`].
    ///
    /// Fails with [`Error::NotFound`] when the group was removed, and with the classified OS
    /// error of a read.
    pub fn stats(&self, want: StatKinds) -> Result<Stats> {
        let units = Units::of_this_system();
        let mut stats = Stats::default();
        for read in plan::plan(want, |role| self.stats_dir(role)) {
            let content = match read.dir.0.read(read.file) {
                Ok(content) => content,
                Err(Error::Unsupported(_)) => continue,
                Err(err) => return Err(err),
            };
            apply(
                read.kinds,
                read.version,
                read.file,
                &content,
                units,
                &mut stats,
            );
        }
        Ok(stats)
    }

    /// A reader of the statistics of kinds `want` that keeps the files they need open, so that
    /// each [`StatsReader::read`] costs one `pread` per file: for monitors that read the same
    /// groups again and again. It holds one descriptor per file (up to three per group for
    /// memory and CPU usage) until dropped, and stays valid after the group handle is dropped.
    ///
    /// Fails like [`Cgroup::stats`].
    pub fn stats_reader(&self, want: StatKinds) -> Result<StatsReader> {
        StatsReader::open(
            plan::plan(want, |role| self.stats_dir(role))
                .into_iter()
                .map(|read| (read.dir.0, read.version, read.file, read.kinds)),
        )
    }
}
