// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

import (
	"fmt"
	"math"
	"syscall"
	"time"
)

// Freeze freezes every process of the group and of its child groups, and returns once the
// kernel reports the group frozen. ErrTimedOut after 10 s without (the group is thawed
// again); ErrControllerUnavailable (v1) for a group without the freezer hierarchy.
func (g *Group) Freeze() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_freeze(cg) })
}

// Thaw thaws the group, and returns once the kernel reports it thawed. ErrBusy (v1) or
// ErrTimedOut (v2) when a frozen ancestor keeps it frozen.
func (g *Group) Thaw() error {
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_thaw(cg) })
}

// Frozen tells whether the kernel reports the group frozen (also by an ancestor); a group
// still freezing is not frozen yet.
func (g *Group) Frozen() (bool, error) {
	var frozen C.int
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_frozen(cg, &frozen) })
	return frozen != 0, err
}

// Kill sends signal to every process of the group and of its child groups, including ones
// forked meanwhile, and returns once all were signalled (WaitEmpty waits for them to exit).
// ErrInvalidArgument for an invalid signal; ErrControllerUnavailable (v1) for a signal other
// than SIGKILL on a group without the freezer; ErrTimedOut when processes kept entering the
// group for 10 s. Delete never kills.
func (g *Group) Kill(signal syscall.Signal) error {
	if signal <= 0 || signal > math.MaxInt32 {
		return invalid(fmt.Sprintf("signal %d is not a signal number", int(signal)))
	}
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_kill(cg, C.int(signal)) })
}

// WaitEmpty waits until no process is left in the group or its child groups, for at most
// timeout (0 checks once; a negative timeout waits without limit). ErrTimedOut when processes
// are left at the timeout.
func (g *Group) WaitEmpty(timeout time.Duration) error {
	ms, err := milliseconds(timeout)
	if err != nil {
		return err
	}
	return g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_wait_empty(cg, ms) })
}

// milliseconds converts a timeout for the library: negative waits forever (-1), a fraction
// of a millisecond counts as a whole one.
func milliseconds(timeout time.Duration) (C.int, error) {
	if timeout < 0 {
		return -1, nil
	}
	ms := (timeout + time.Millisecond - 1) / time.Millisecond
	if ms > math.MaxInt32 {
		return 0, invalid(fmt.Sprintf("timeout %v is longer than %v (a negative timeout waits forever)",
			timeout, math.MaxInt32*time.Millisecond))
	}
	return C.int(ms), nil
}
