// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

import (
	"time"
	"unsafe"
)

// Stat is a set of kinds of statistics: what to read, and what a read found.
type Stat uint64

// The kinds of statistics.
const (
	StatMemoryCurrent Stat = C.CGROUPS_STAT_MEMORY_CURRENT // memory in use
	StatMemoryPeak    Stat = C.CGROUPS_STAT_MEMORY_PEAK    // highest memory use (v2: Linux 5.19+)
	StatMemorySwap    Stat = C.CGROUPS_STAT_MEMORY_SWAP    // swap in use (with swap accounting)
	StatMemoryStat    Stat = C.CGROUPS_STAT_MEMORY_STAT    // anonymous memory and page cache
	StatMemoryEvents  Stat = C.CGROUPS_STAT_MEMORY_EVENTS  // OOM events and kills, memory.high events
	StatCPUUsage      Stat = C.CGROUPS_STAT_CPU_USAGE      // CPU time: total, user, system
	StatCPUThrottling Stat = C.CGROUPS_STAT_CPU_THROTTLING // CPU cap periods, throttled periods and time
	StatPids          Stat = C.CGROUPS_STAT_PIDS           // tasks, and forks refused by the pids limit
	StatIO            Stat = C.CGROUPS_STAT_IO             // bytes and operations, summed over devices
	StatAll           Stat = C.CGROUPS_STAT_ALL            // every kind
)

// Stats are a group's statistics, its child groups included. Each kind of statistics is a
// pointer that is nil when the host could not give it (a hierarchy the group lacks, a file
// the kernel lacks) or it was not asked for: absent is never 0. Present holds the kinds that
// were given.
type Stats struct {
	Present       Stat
	MemoryCurrent *uint64 // bytes in use (v2 memory.current, v1 memory.usage_in_bytes)
	MemoryPeak    *uint64 // highest use, bytes
	MemorySwap    *uint64 // swap in use, bytes
	MemoryStat    *MemoryStat
	MemoryEvents  *MemoryEvents
	CPUUsage      *CPUUsage
	CPUThrottling *CPUThrottling
	Pids          *PidsStats
	IO            *IOStats
}

// MemoryStat is the memory in use by kind, bytes.
type MemoryStat struct {
	Anon uint64 // anonymous memory
	File uint64 // page cache, tmpfs included
}

// MemoryEvents counts memory events. On cgroup v1 OOM and High read 0 (v1 counts only OOM
// kills).
type MemoryEvents struct {
	OOM      uint64 // times the group hit its limit and the OOM killer was invoked
	OOMKills uint64 // processes killed by the OOM killer
	High     uint64 // times memory.high was exceeded
}

// CPUUsage is CPU time used (microsecond resolution).
type CPUUsage struct {
	Total, User, System time.Duration
}

// CPUThrottling tells how a CPU cap held the group back.
type CPUThrottling struct {
	Periods          uint64        // CPU cap periods with runnable tasks
	ThrottledPeriods uint64        // periods in which the group was throttled
	Throttled        time.Duration // time throttled
}

// PidsStats counts tasks.
type PidsStats struct {
	Current   uint64 // processes and threads
	MaxEvents uint64 // forks refused by the pids limit
}

// IOStats counts I/O, summed over devices.
type IOStats struct {
	ReadBytes, WriteBytes uint64
	ReadIOs, WriteIOs     uint64
}

func newCStats() C.cgroups_stats {
	return C.cgroups_stats{size: C.uint32_t(unsafe.Sizeof(C.cgroups_stats{}))}
}

func microseconds(usec C.uint64_t) time.Duration {
	return time.Duration(usec) * time.Microsecond
}

// statsFromC keeps the kinds that are present.
func statsFromC(s *C.cgroups_stats) *Stats {
	present := Stat(s.present) & StatAll
	stats := &Stats{Present: present}
	value := func(kind Stat, v C.uint64_t) *uint64 {
		if present&kind == 0 {
			return nil
		}
		converted := uint64(v)
		return &converted
	}
	stats.MemoryCurrent = value(StatMemoryCurrent, s.memory_current)
	stats.MemoryPeak = value(StatMemoryPeak, s.memory_peak)
	stats.MemorySwap = value(StatMemorySwap, s.memory_swap_current)
	if present&StatMemoryStat != 0 {
		stats.MemoryStat = &MemoryStat{Anon: uint64(s.memory_anon), File: uint64(s.memory_file)}
	}
	if present&StatMemoryEvents != 0 {
		stats.MemoryEvents = &MemoryEvents{OOM: uint64(s.memory_oom_events),
			OOMKills: uint64(s.memory_oom_kills), High: uint64(s.memory_high_events)}
	}
	if present&StatCPUUsage != 0 {
		stats.CPUUsage = &CPUUsage{Total: microseconds(s.cpu_usage_usec),
			User: microseconds(s.cpu_user_usec), System: microseconds(s.cpu_system_usec)}
	}
	if present&StatCPUThrottling != 0 {
		stats.CPUThrottling = &CPUThrottling{Periods: uint64(s.cpu_periods),
			ThrottledPeriods: uint64(s.cpu_throttled_periods), Throttled: microseconds(s.cpu_throttled_usec)}
	}
	if present&StatPids != 0 {
		stats.Pids = &PidsStats{Current: uint64(s.pids_current), MaxEvents: uint64(s.pids_max_events)}
	}
	if present&StatIO != 0 {
		stats.IO = &IOStats{ReadBytes: uint64(s.io_read_bytes), WriteBytes: uint64(s.io_write_bytes),
			ReadIOs: uint64(s.io_read_ios), WriteIOs: uint64(s.io_write_ios)}
	}
	return stats
}

// Stats reads the statistics want (StatAll, or some Stat bits) of the group, reading only the
// files they need. ErrInvalidArgument for an undefined bit; what the host cannot give is nil
// in the result.
func (g *Group) Stats(want Stat) (*Stats, error) {
	s := newCStats()
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_stats_read(cg, C.uint64_t(want), &s) })
	if err != nil {
		return nil, err
	}
	return statsFromC(&s), nil
}

// StatsReader reads the same group's statistics again and again with the files it needs kept
// open (one pread per file and read): for monitors. It holds up to three descriptors per
// group, stays valid after the Group is closed, and may be used from several goroutines at
// once; Close must come last.
type StatsReader struct {
	reader *C.cgroups_stats_reader
}

// StatsReader opens the files the statistics want need, as for Stats.
func (g *Group) StatsReader(want Stat) (*StatsReader, error) {
	var reader *C.cgroups_stats_reader
	err := g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_stats_reader_new(cg, C.uint64_t(want), &reader)
	})
	if err != nil {
		return nil, err
	}
	return &StatsReader{reader: reader}, nil
}

// Read reads the statistics now; ErrNotFound once the group was removed.
func (r *StatsReader) Read() (*Stats, error) {
	reader := r.reader
	if reader == nil {
		return nil, ErrClosed
	}
	s := newCStats()
	if err := call(func() C.int { return C.cgroups_stats_reader_read(reader, &s) }); err != nil {
		return nil, err
	}
	return statsFromC(&s), nil
}

// Close frees the reader and closes its files. Calling it again does nothing.
func (r *StatsReader) Close() error {
	C.cgroups_stats_reader_free(r.reader)
	r.reader = nil
	return nil
}
