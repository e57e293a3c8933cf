// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <poll.h>
#include <unistd.h>
#include <cgroups.h>
*/
import "C"

import (
	"fmt"
	"syscall"
	"time"
	"unsafe"
)

// PressureStall is one line of a pressure file: the share of time tasks were stalled.
type PressureStall struct {
	Avg10, Avg60, Avg300 float64       // percent of the last 10, 60 and 300 s
	Total                time.Duration // stalled time since the group was made
}

// Pressure is the pressure stall information of one resource in a group.
type Pressure struct {
	Some PressureStall // some tasks were stalled
	Full PressureStall // all non-idle tasks at once (zero where the kernel has no such line)
}

// Pressure reads the pressure of resource (CPU, Memory or IO) in the group.
// ErrInvalidArgument for another resource; ErrUnsupported, with the reason in the message,
// where the group has no cgroup2 directory (v1 hosts; hybrid hosts whose cgroup2 tree serves
// none of its controllers) or PSI is off.
func (g *Group) Pressure(resource Controller) (*Pressure, error) {
	p := C.cgroups_pressure{size: C.uint32_t(unsafe.Sizeof(C.cgroups_pressure{}))}
	err := g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_pressure_read(cg, C.uint32_t(resource), &p)
	})
	if err != nil {
		return nil, err
	}
	return &Pressure{
		Some: PressureStall{float64(p.some_avg10), float64(p.some_avg60), float64(p.some_avg300),
			microseconds(p.some_total_usec)},
		Full: PressureStall{float64(p.full_avg10), float64(p.full_avg60), float64(p.full_avg300),
			microseconds(p.full_total_usec)},
	}, nil
}

// PressureTrigger is a PSI trigger: its descriptor polls POLLPRI each time the stall time
// within the window exceeds the threshold (at most once per window). Close removes it.
type PressureTrigger struct {
	fd C.int
}

// PressureTrigger makes a trigger on resource (CPU, Memory or IO) that fires when the stall
// time of some tasks (of all of them with full) within window exceeds stall. window must be
// within 500ms and 10s (for a non-root user on Linux 6.5+, a multiple of 2s) and stall in
// (0, window]: ErrInvalidArgument otherwise. ErrUnsupported as for Pressure.
func (g *Group) PressureTrigger(resource Controller, full bool, stall, window time.Duration) (*PressureTrigger, error) {
	if stall < 0 || window < 0 {
		return nil, invalid(fmt.Sprintf("stall %v and window %v must not be negative", stall, window))
	}
	var fd C.int
	var cFull C.int
	if full {
		cFull = 1
	}
	err := g.do(func(cg *C.cgroups_cgroup) C.int {
		return C.cgroups_pressure_trigger(cg, C.uint32_t(resource), cFull,
			C.uint64_t(stall/time.Microsecond), C.uint64_t(window/time.Microsecond), &fd)
	})
	if err != nil {
		return nil, err
	}
	return &PressureTrigger{fd: fd}, nil
}

// Fd is the trigger's descriptor, to poll for POLLPRI (owned by the trigger: do not close
// it); ^uintptr(0) after Close.
func (t *PressureTrigger) Fd() uintptr {
	if t.fd < 0 {
		return ^uintptr(0)
	}
	return uintptr(t.fd)
}

// Wait waits up to timeout (negative: without limit) for the trigger to fire and tells
// whether it did.
func (t *PressureTrigger) Wait(timeout time.Duration) (bool, error) {
	if t.fd < 0 {
		return false, ErrClosed
	}
	deadline := time.Now().Add(timeout)
	for {
		ms, err := milliseconds(timeout)
		if err != nil {
			return false, err
		}
		descriptor := C.struct_pollfd{fd: t.fd, events: C.POLLPRI}
		ready, err := C.poll(&descriptor, 1, ms)
		switch {
		case ready > 0:
			return descriptor.revents&C.POLLPRI != 0, nil
		case ready == 0:
			return false, nil
		case err != syscall.EINTR:
			return false, err
		}
		if timeout >= 0 {
			timeout = time.Until(deadline)
			if timeout < 0 {
				timeout = 0
			}
		}
	}
}

// Close removes the trigger. Calling it again does nothing.
func (t *PressureTrigger) Close() error {
	if t.fd < 0 {
		return nil
	}
	fd := t.fd
	t.fd = -1
	if result, err := C.close(fd); result != 0 {
		return fmt.Errorf("cgroups: closing a pressure trigger: %w", err)
	}
	return nil
}
