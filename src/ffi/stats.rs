// SPDX-License-Identifier: MIT OR Apache-2.0
//! Statistics: the size-versioned cgroups_stats struct, one-shot reads and kept-descriptor
//! readers.

use std::ffi::c_int;

use super::args::{into_c, required_ref, take_box, Out};
use super::group::cgroups_cgroup;
use super::guard::{guard, guard_value, Failure};
use crate::stats::{StatKinds, Stats, StatsReader};

/// Statistics of a group. Set `size` to sizeof(cgroups_stats) before a read: the struct only
/// ever grows at its end, and the library writes no more than `size` bytes. `present` holds
/// the CGROUPS_STAT_* bits the host could give; a field whose bit is absent reads 0, which
/// then means nothing. Values include the group's child groups. On cgroup v1,
/// memory_oom_events and memory_high_events read 0 (v1 counts only OOM kills, and has no
/// memory.high).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cgroups_stats {
    /// sizeof(cgroups_stats), set by the caller.
    pub size: u32,
    /// The CGROUPS_STAT_* bits whose fields hold values.
    pub present: u64,
    /// CGROUPS_STAT_MEMORY_CURRENT: bytes in use (v2 memory.current, v1 memory.usage_in_bytes).
    pub memory_current: u64,
    /// CGROUPS_STAT_MEMORY_PEAK: highest use, bytes (v2 memory.peak, Linux 5.19+; v1
    /// memory.max_usage_in_bytes).
    pub memory_peak: u64,
    /// CGROUPS_STAT_MEMORY_SWAP: swap in use, bytes (v2 memory.swap.current; v1 total_swap of
    /// memory.stat, with swap accounting).
    pub memory_swap_current: u64,
    /// CGROUPS_STAT_MEMORY_STAT: anonymous memory, bytes (v2 anon, v1 total_rss).
    pub memory_anon: u64,
    /// Page cache including tmpfs, bytes (v2 file, v1 total_cache).
    pub memory_file: u64,
    /// CGROUPS_STAT_MEMORY_EVENTS: times the group hit its limit and the OOM killer was
    /// invoked (v2 oom of memory.events; 0 on v1).
    pub memory_oom_events: u64,
    /// Processes killed by the OOM killer (oom_kill of v2 memory.events or v1
    /// memory.oom_control).
    pub memory_oom_kills: u64,
    /// Times memory.high was exceeded (v2 high of memory.events; 0 on v1).
    pub memory_high_events: u64,
    /// CGROUPS_STAT_CPU_USAGE: CPU time, µs (v2 cpu.stat usage_usec, v1 cpuacct.usage).
    pub cpu_usage_usec: u64,
    /// User-mode CPU time, µs (v2 user_usec, v1 cpuacct.stat user).
    pub cpu_user_usec: u64,
    /// Kernel-mode CPU time, µs (v2 system_usec, v1 cpuacct.stat system).
    pub cpu_system_usec: u64,
    /// CGROUPS_STAT_CPU_THROTTLING: CPU cap periods with runnable tasks (cpu.stat nr_periods).
    pub cpu_periods: u64,
    /// Periods in which the group was throttled (nr_throttled).
    pub cpu_throttled_periods: u64,
    /// Time throttled, µs (v2 throttled_usec, v1 throttled_time).
    pub cpu_throttled_usec: u64,
    /// CGROUPS_STAT_PIDS: processes and threads (pids.current).
    pub pids_current: u64,
    /// Forks refused by pids.max (pids.events max).
    pub pids_max_events: u64,
    /// CGROUPS_STAT_IO: bytes read, summed over devices (v2 io.stat rbytes; v1
    /// blkio.throttle.io_service_bytes_recursive Read).
    pub io_read_bytes: u64,
    /// Bytes written (v2 wbytes; v1 Write).
    pub io_write_bytes: u64,
    /// Read operations (v2 rios; v1 blkio.throttle.io_serviced_recursive Read).
    pub io_read_ios: u64,
    /// Write operations (v2 wios; v1 Write).
    pub io_write_ios: u64,
}

/// The size of the struct's first release: the smallest `size` a caller may pass.
const FIRST_RELEASE_SIZE: usize = std::mem::size_of::<cgroups_stats>();

impl cgroups_stats {
    fn from_stats(stats: &Stats, want: StatKinds, size: u32) -> cgroups_stats {
        let value = |field: Option<u64>| field.unwrap_or(0);
        cgroups_stats {
            size,
            present: stats.present().intersection(want).bits(),
            memory_current: value(stats.memory_current),
            memory_peak: value(stats.memory_peak),
            memory_swap_current: value(stats.memory_swap_current),
            memory_anon: value(stats.memory_anon),
            memory_file: value(stats.memory_file),
            memory_oom_events: value(stats.memory_oom_events),
            memory_oom_kills: value(stats.memory_oom_kills),
            memory_high_events: value(stats.memory_high_events),
            cpu_usage_usec: value(stats.cpu_usage_usec),
            cpu_user_usec: value(stats.cpu_user_usec),
            cpu_system_usec: value(stats.cpu_system_usec),
            cpu_periods: value(stats.cpu_periods),
            cpu_throttled_periods: value(stats.cpu_throttled_periods),
            cpu_throttled_usec: value(stats.cpu_throttled_usec),
            pids_current: value(stats.pids_current),
            pids_max_events: value(stats.pids_max_events),
            io_read_bytes: value(stats.io_read_bytes),
            io_write_bytes: value(stats.io_write_bytes),
            io_read_ios: value(stats.io_read_ios),
            io_write_ios: value(stats.io_write_ios),
        }
    }
}

/// The caller's struct, checked: not NULL, and `size` at least the first release's.
fn checked_out(out: *mut cgroups_stats) -> Result<(Out<cgroups_stats>, u32), Failure> {
    let out = Out::new(out, "out")?;
    // SAFETY: a non-NULL `out` points to a cgroups_stats whose `size` the caller set (C
    // contract); only that first field is read here.
    let size = unsafe { std::ptr::addr_of!((*out.as_ptr()).size).read() };
    if (size as usize) < FIRST_RELEASE_SIZE {
        return Err(Failure::invalid(format!(
            "out->size is {size}: set it to sizeof(cgroups_stats) ({FIRST_RELEASE_SIZE} or more)"
        )));
    }
    Ok((out, size))
}

/// The statistics kinds of a `want` argument.
fn kinds(want: u64) -> Result<StatKinds, Failure> {
    StatKinds::from_bits(want).ok_or_else(|| {
        Failure::invalid(format!(
            "want {want:#x} has bits that name no statistic (CGROUPS_STAT_ALL is 0x1ff)"
        ))
    })
}

/// Reads the statistics `want` (CGROUPS_STAT_* bits, or CGROUPS_STAT_ALL) of the group into
/// `*out`, reading only the files they need. Set out->size = sizeof(cgroups_stats) first.
/// CGROUPS_E_INVALID_ARGUMENT for an undefined bit in `want` or a `size` smaller than the
/// struct's first release (nothing is written); CGROUPS_E_NOT_FOUND when the group was removed.
/// What the host cannot give (a controller the handle lacks, a file the kernel lacks) is left
/// out of out->present.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_stats_read(
    cg: *const cgroups_cgroup,
    want: u64,
    out: *mut cgroups_stats,
) -> c_int {
    guard(|| {
        let (out, size) = checked_out(out)?;
        let cg = required_ref(cg, "cg")?;
        let want = kinds(want)?;
        let stats = cg.0.stats(want)?;
        out.write(cgroups_stats::from_stats(&stats, want, size));
        Ok(())
    })
}

/// A statistics reader that keeps the files it needs open (see cgroups_stats_reader_new()).
#[allow(non_camel_case_types)]
pub struct cgroups_stats_reader {
    reader: StatsReader,
    want: StatKinds,
}

/// Opens the files that the statistics `want` need and keeps them open, for a monitor that
/// reads the same group again and again: each cgroups_stats_reader_read() then costs one pread
/// per file instead of open, read and close. It holds up to three descriptors per group for
/// memory and CPU usage (mind RLIMIT_NOFILE with many groups) and stays valid after
/// cgroups_free(cg). Free it with cgroups_stats_reader_free(). Errors as for
/// cgroups_stats_read().
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_stats_reader_new(
    cg: *const cgroups_cgroup,
    want: u64,
    out: *mut *mut cgroups_stats_reader,
) -> c_int {
    guard(|| {
        let out = Out::new(out, "out")?;
        let cg = required_ref(cg, "cg")?;
        let want = kinds(want)?;
        let reader = cg.0.stats_reader(want)?;
        out.write(into_c(cgroups_stats_reader { reader, want }));
        Ok(())
    })
}

/// Reads the reader's statistics into `*out` (set out->size first, as for
/// cgroups_stats_read()). CGROUPS_E_NOT_FOUND once the group was removed. A reader may be used
/// from several threads at once.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_stats_reader_read(
    reader: *const cgroups_stats_reader,
    out: *mut cgroups_stats,
) -> c_int {
    guard(|| {
        let (out, size) = checked_out(out)?;
        let reader = required_ref(reader, "reader")?;
        let stats = reader.reader.read()?;
        out.write(cgroups_stats::from_stats(&stats, reader.want, size));
        Ok(())
    })
}

/// Frees a reader and closes its descriptors. Calling with NULL is fine. Must not be called
/// twice with the same reader.
#[no_mangle]
pub extern "C" fn cgroups_stats_reader_free(reader: *mut cgroups_stats_reader) {
    guard_value((), || drop(take_box(reader)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::status::cgroups_status;

    #[test]
    fn a_size_below_the_first_release_is_refused_and_nothing_is_written() {
        let mut stats = cgroups_stats {
            size: 8,
            present: 77,
            ..cgroups_stats::default()
        };
        let status = cgroups_stats_read(std::ptr::null(), 1, &mut stats);
        assert_eq!(status, cgroups_status::CGROUPS_E_INVALID_ARGUMENT as c_int);
        assert_eq!((stats.size, stats.present), (8, 77));
    }

    #[test]
    fn present_bits_are_those_asked_for_and_given() {
        let stats = Stats {
            memory_current: Some(5),
            memory_oom_kills: Some(1),
            ..Stats::default()
        };
        let c = cgroups_stats::from_stats(&stats, StatKinds::ALL, 200);
        assert_eq!(
            c.present,
            StatKinds::MEMORY_CURRENT.bits() | StatKinds::MEMORY_EVENTS.bits()
        );
        assert_eq!((c.size, c.memory_current, c.memory_oom_events), (200, 5, 0));
        let c = cgroups_stats::from_stats(&stats, StatKinds::MEMORY_CURRENT, 200);
        assert_eq!(c.present, StatKinds::MEMORY_CURRENT.bits());
    }
}
