// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

// A getter with one uint64 output.
func (g *Group) readUint64(get func(*C.cgroups_cgroup, *C.uint64_t) C.int) (uint64, error) {
	var value C.uint64_t
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return get(cg, &value) })
	return uint64(value), err
}

// SetCPUMax caps the group's CPU time at cpus CPUs (1.5 = one and a half CPUs' worth of time
// per 100 ms period): a hard cap, unlike the share. ErrInvalidArgument for NaN, infinities,
// values below 0.01 CPUs (the kernel's minimum) and (v1) above the parent's cap;
// ErrUnsupported when the kernel has no CPU bandwidth control.
func (g *Group) SetCPUMax(cpus float64) error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_set_cpu_max(cg, C.double(cpus)) })
}

// ResetCPUMax lifts the CPU cap.
func (g *Group) ResetCPUMax() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_reset_cpu_max(cg) })
}

// CPUMax reads the CPU cap in CPUs: +Inf (math.IsInf(cpus, 1)) when there is none.
func (g *Group) CPUMax() (float64, error) {
	var cpus C.double
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_cpu_max(cg, &cpus) })
	return float64(cpus), err
}

// SetCpusetCPUs pins the group to the CPUs of list, in the kernel's list syntax ("0-3,6"); on
// cgroup v2 "" means the parent's. ErrInvalidArgument for a malformed list or one the kernel
// refuses (offline, not among the parent's), and for "" on cgroup v1.
func (g *Group) SetCpusetCPUs(list string) error {
	return g.setCpuset("cpus", list, true)
}

// SetCpusetMems pins the group to the memory nodes of list, as SetCpusetCPUs does to CPUs.
func (g *Group) SetCpusetMems(list string) error {
	return g.setCpuset("mems", list, false)
}

func (g *Group) setCpuset(what, list string, cpus bool) error {
	var args cStrings
	defer args.free()
	cList := args.required(what, list)
	if args.err != nil {
		return args.err
	}
	return g.do(func(cg *C.cgroups_cgroup) C.int {
		if cpus {
			return C.cgroups_set_cpuset(cg, cList, nil)
		}
		return C.cgroups_set_cpuset(cg, nil, cList)
	})
}

// Cpuset reads the group's CPUs and memory nodes as set, in the kernel's list syntax (on v2
// "" when the group uses its parent's).
func (g *Group) Cpuset() (cpus, mems string, err error) {
	var cCPUs, cMems *C.char
	err = g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_cpuset(cg, &cCPUs, &cMems) })
	if err != nil {
		return "", "", err
	}
	defer C.cgroups_string_free(cCPUs)
	defer C.cgroups_string_free(cMems)
	return C.GoString(cCPUs), C.GoString(cMems), nil
}

// SetMemoryHigh sets the throttling threshold (cgroup v2 memory.high) to limit units: above
// it the group is slowed down and reclaimed hard, never OOM-killed for it.
// ErrInvalidArgument for less than one page or an overflowing size; ErrUnsupported on cgroup
// v1, which has no such threshold.
func (g *Group) SetMemoryHigh(limit uint64, unit Unit) error {
	return g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_set_memory_high(cg, C.uint64_t(limit), C.cgroups_unit(unit))
	})
}

// ResetMemoryHigh removes the throttling threshold.
func (g *Group) ResetMemoryHigh() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_reset_memory_high(cg) })
}

// MemoryHigh reads the throttling threshold in bytes; Unlimited when there is none.
func (g *Group) MemoryHigh() (uint64, error) {
	return g.readUint64(func(cg *C.cgroups_cgroup, out *C.uint64_t) C.int {
		return C.cgroups_memory_high(cg, out)
	})
}

// SetSwapLimit limits the swap the group may use on top of its memory to limit units (0: no
// swap). On cgroup v1 the group needs a memory limit first (ErrInvalidArgument otherwise),
// and a later memory limit keeps the swap amount. ErrUnsupported when the kernel does not
// account swap; ErrBusy (v1) when usage is above the new limit.
func (g *Group) SetSwapLimit(limit uint64, unit Unit) error {
	return g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_set_swap_limit(cg, C.uint64_t(limit), C.cgroups_unit(unit))
	})
}

// ResetSwapLimit removes the swap limit.
func (g *Group) ResetSwapLimit() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_reset_swap_limit(cg) })
}

// SwapLimit reads the swap limit in bytes; Unlimited when there is none.
func (g *Group) SwapLimit() (uint64, error) {
	return g.readUint64(func(cg *C.cgroups_cgroup, out *C.uint64_t) C.int {
		return C.cgroups_swap_limit(cg, out)
	})
}

// SetPidsLimit limits the number of tasks (processes and threads) in the group and its child
// groups to max; 0 allows no new process. A fork beyond it fails with EAGAIN.
// ErrInvalidArgument above 4194304 (the kernel's pid space).
func (g *Group) SetPidsLimit(max uint64) error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_set_pids_limit(cg, C.uint64_t(max)) })
}

// ResetPidsLimit removes the limit on the number of tasks.
func (g *Group) ResetPidsLimit() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_reset_pids_limit(cg) })
}

// PidsLimit reads the limit on the number of tasks; Unlimited when there is none.
func (g *Group) PidsLimit() (uint64, error) {
	return g.readUint64(func(cg *C.cgroups_cgroup, out *C.uint64_t) C.int {
		return C.cgroups_pids_limit(cg, out)
	})
}

// IOMax is a group's I/O caps on one device, per second. 0 means no cap (the kernel has no
// cap below 2), so the zero IOMax lifts every cap; Unlimited is accepted for it too.
type IOMax struct {
	ReadBPS, WriteBPS   uint64 // bytes per second
	ReadIOPS, WriteIOPS uint64 // operations per second
}

// The library's "no cap" for a field of IOMax, and back.
func capToC(value uint64) C.uint64_t {
	if value == 0 {
		return C.uint64_t(Unlimited)
	}
	return C.uint64_t(value)
}

func capFromC(value C.uint64_t) uint64 {
	if uint64(value) == Unlimited {
		return 0
	}
	return uint64(value)
}

// SetIOMax sets the group's I/O caps on device ("MAJ:MIN" or a path such as "/dev/sda": a whole
// disk); every call sets all four. ErrInvalidArgument for a malformed, unknown or non-block
// device, a partition, a cap of 1, or operations of 4294967295 or more; ErrUnsupported when
// the kernel cannot throttle I/O, or not that device.
func (g *Group) SetIOMax(device string, caps IOMax) error {
	var args cStrings
	defer args.free()
	cDevice := args.required("device", device)
	if args.err != nil {
		return args.err
	}
	return g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_set_io_max(cg, cDevice, capToC(caps.ReadBPS), capToC(caps.WriteBPS),
			capToC(caps.ReadIOPS), capToC(caps.WriteIOPS))
	})
}

// IOMax reads the group's I/O caps on device (as for SetIOMax); a field is 0 where there is no
// cap, also for a device with nothing configured.
func (g *Group) IOMax(device string) (IOMax, error) {
	var args cStrings
	defer args.free()
	cDevice := args.required("device", device)
	if args.err != nil {
		return IOMax{}, args.err
	}
	var caps [4]C.uint64_t
	err := g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_io_max(cg, cDevice, &caps[0], &caps[1], &caps[2], &caps[3])
	})
	if err != nil {
		return IOMax{}, err
	}
	return IOMax{capFromC(caps[0]), capFromC(caps[1]), capFromC(caps[2]), capFromC(caps[3])}, nil
}
