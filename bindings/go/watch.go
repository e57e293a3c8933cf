// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

import (
	"fmt"
	"strings"
	"time"
)

// Event is a set of events of a group.
type Event uint32

// The events.
const (
	EventEmpty      Event = C.CGROUPS_EVENT_EMPTY       // the last process left or exited
	EventOOM        Event = C.CGROUPS_EVENT_OOM         // the OOM killer ran in the group
	EventMemoryHigh Event = C.CGROUPS_EVENT_MEMORY_HIGH // memory.high was exceeded (cgroup v2)
	EventPidsMax    Event = C.CGROUPS_EVENT_PIDS_MAX    // a fork was refused by the pids limit
	EventFrozen     Event = C.CGROUPS_EVENT_FROZEN      // a freeze completed
)

var eventNames = []struct {
	event Event
	name  string
}{
	{EventEmpty, "empty"}, {EventOOM, "oom"}, {EventMemoryHigh, "memory-high"},
	{EventPidsMax, "pids-max"}, {EventFrozen, "frozen"},
}

// String names the events, joined by "|" ("empty|oom"); "none" for none.
func (e Event) String() string {
	var names []string
	for _, known := range eventNames {
		if e&known.event != 0 {
			names = append(names, known.name)
			e &^= known.event
		}
	}
	if e != 0 {
		names = append(names, fmt.Sprintf("%#x", uint32(e)))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// Watch is a watch on a group's events. Its descriptor (Fd) is readable when something may
// have fired: poll it, then call Read; or block in Wait. EventEmpty and EventFrozen are
// reported when the group is found empty (frozen) after being seen otherwise; EventOOM,
// EventMemoryHigh and EventPidsMax when the kernel's counter grew. The first read reports what
// is already so when the watch is made, so make it once the job's first process is in the
// group. It stays valid after the Group is closed. Use it from one goroutine at a time.
type Watch struct {
	w *C.cgroups_watch
}

// Watch watches the group for events. ErrInvalidArgument for no event or an undefined one;
// ErrControllerUnavailable for EventOOM or EventMemoryHigh without Memory, EventPidsMax
// without Pids, EventFrozen without the freezer; ErrUnsupported for EventMemoryHigh on
// cgroup v1.
func (g *Group) Watch(events Event) (*Watch, error) {
	var w *C.cgroups_watch
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_watch_new(cg, C.uint32_t(events), &w) })
	if err != nil {
		return nil, err
	}
	return &Watch{w: w}, nil
}

// Fd is the descriptor to poll for reading (owned by the watch: do not close it);
// ^uintptr(0) after Close.
func (w *Watch) Fd() uintptr {
	if w.w == nil {
		return ^uintptr(0)
	}
	return uintptr(C.cgroups_watch_fd(w.w))
}

// Read returns the events that fired since the last read, without blocking (0 when none
// did). ErrNotFound once the group was removed.
func (w *Watch) Read() (Event, error) {
	watch := w.w
	if watch == nil {
		return 0, ErrClosed
	}
	var events C.uint32_t
	err := call(func() C.int { return C.cgroups_watch_read(watch, &events) })
	return Event(events), err
}

// Wait waits up to timeout (negative: without limit) for events and returns them; 0 when the
// time passed with none. ErrNotFound once the group was removed.
func (w *Watch) Wait(timeout time.Duration) (Event, error) {
	watch := w.w
	if watch == nil {
		return 0, ErrClosed
	}
	ms, err := milliseconds(timeout)
	if err != nil {
		return 0, err
	}
	var events C.uint32_t
	err = call(func() C.int { return C.cgroups_watch_wait(watch, ms, &events) })
	return Event(events), err
}

// Close frees the watch and closes its descriptors. Calling it again does nothing.
func (w *Watch) Close() error {
	C.cgroups_watch_free(w.w)
	w.w = nil
	return nil
}
