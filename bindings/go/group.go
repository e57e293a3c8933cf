// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"
)

// Group is an open group. Its methods may be called from several goroutines at once; Close
// frees it (the group itself stays) and must come last. There is no finalizer: call Close.
type Group struct {
	cg   *C.cgroups_cgroup
	name string
}

// Open creates the group name ("job" or "jobs/job") of user ("" for the effective user) on
// the host's cgroup mount, in the hierarchies of controllers (CPU|Memory …, or All), or loads
// it if it exists (then where it exists).
func Open(name string, controllers Controller, user string) (*Group, error) {
	var args cStrings
	defer args.free()
	cName, cUser := args.required("name", name), args.optional("user", user)
	if args.err != nil {
		return nil, args.err
	}
	return newGroup(name, func(out **C.cgroups_cgroup) C.int {
		return C.cgroups_open(cName, C.uint32_t(controllers), cUser, out)
	})
}

// OpenAt is Open on an explicit base: a directory holding cgroup mounts (v1, hybrid), a
// cgroup2 mount, or a directory inside a cgroup filesystem. ErrNotMounted where there is no
// cgroup filesystem.
func OpenAt(base, name string, controllers Controller, user string) (*Group, error) {
	var args cStrings
	defer args.free()
	cBase, cName, cUser := args.required("base", base), args.required("name", name), args.optional("user", user)
	if args.err != nil {
		return nil, args.err
	}
	return newGroup(name, func(out **C.cgroups_cgroup) C.int {
		return C.cgroups_open_at(cBase, cName, C.uint32_t(controllers), cUser, out)
	})
}

// newGroup wraps the handle that open stores, or returns its error.
func newGroup(name string, open func(out **C.cgroups_cgroup) C.int) (*Group, error) {
	var cg *C.cgroups_cgroup
	if err := call(func() C.int { return open(&cg) }); err != nil {
		return nil, err
	}
	return &Group{cg: cg, name: name}, nil
}

// Name is the group's name as given at open.
func (g *Group) Name() string {
	return g.name
}

// Close frees the handle; the group stays. Calling it again does nothing.
func (g *Group) Close() error {
	C.cgroups_free(g.cg)
	g.cg = nil
	return nil
}

// do runs a call on the handle, or returns ErrClosed after Close.
func (g *Group) do(f func(*C.cgroups_cgroup) C.int) error {
	cg := g.cg
	if cg == nil {
		return ErrClosed
	}
	return call(func() C.int { return f(cg) })
}

func cPid(pid int) (C.pid_t, error) {
	if pid <= 0 || pid > math.MaxInt32 {
		return 0, invalid(fmt.Sprintf("pid %d is not a process id", pid))
	}
	return C.pid_t(pid), nil
}

// Add moves the whole process pid into the group; nothing to do if it is there already.
// ErrNoSuchProcess for a process that does not exist; ErrPermission for another user's
// process, or (cgroup v2, non-root) one outside the user's subtree.
func (g *Group) Add(pid int) error {
	p, err := cPid(pid)
	if err != nil {
		return err
	}
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_add(cg, p) })
}

// Remove moves pid back to the user's own group if it is in this group; else nothing.
func (g *Group) Remove(pid int) error {
	p, err := cPid(pid)
	if err != nil {
		return err
	}
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_remove(cg, p) })
}

// Pids lists the group's processes (in every hierarchy), sorted.
func (g *Group) Pids() ([]int, error) {
	var array *C.pid_t
	var count C.size_t
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_pids(cg, &array, &count) })
	if err != nil {
		return nil, err
	}
	defer C.cgroups_pids_free(array, count)
	pids := make([]int, 0, int(count))
	for _, pid := range unsafe.Slice(array, int(count)) {
		pids = append(pids, int(pid))
	}
	return pids, nil
}

// SetCPULimit sets the CPU share in percent of the default, in (0, 100]: a relative weight
// against other groups when the CPU is contended, not a cap.
func (g *Group) SetCPULimit(percent float64) error {
	return g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_set_cpu_limit(cg, C.double(percent))
	})
}

// ResetCPULimit sets the CPU share back to the default (100).
func (g *Group) ResetCPULimit() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_reset_cpu_limit(cg) })
}

// CPULimit reads the CPU share in percent of the default.
func (g *Group) CPULimit() (float64, error) {
	var percent C.double
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_cpu_limit(cg, &percent) })
	return float64(percent), err
}

// SetMemoryLimit limits the group's memory (page cache included, swap not) to limit units.
// ErrInvalidArgument for 0 or an overflowing size; ErrBusy when (v1) it is below the usage.
func (g *Group) SetMemoryLimit(limit uint64, unit Unit) error {
	return g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_set_memory_limit(cg, C.uint64_t(limit), C.cgroups_unit(unit))
	})
}

// ResetMemoryLimit removes the memory limit.
func (g *Group) ResetMemoryLimit() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_reset_memory_limit(cg) })
}

// MemoryLimit reads the memory limit in bytes; Unlimited when there is none.
func (g *Group) MemoryLimit() (uint64, error) {
	var bytes C.uint64_t
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_memory_limit(cg, &bytes) })
	return uint64(bytes), err
}

// Delete deletes the group: its processes move back to the user's group (nobody is killed),
// then its directories are removed. ErrBusy if it has child groups. The handle stays open
// (Close it); later calls give ErrNotFound.
func (g *Group) Delete() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_delete(cg) })
}
