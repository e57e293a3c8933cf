// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

import (
	"fmt"
	"math"
)

// Context is a base and a user resolved once: opening groups through it reads neither
// /proc/self/mountinfo nor the passwd database again. Groups outlive their context. Its
// methods may be called from several goroutines at once; Close must come last.
type Context struct {
	ctx *C.cgroups_context
}

// NewContext resolves base ("" for the host's cgroup mount; otherwise as for OpenAt) and user
// ("" for the effective user).
func NewContext(base, user string) (*Context, error) {
	var args cStrings
	defer args.free()
	cBase, cUser := args.optional("base", base), args.optional("user", user)
	if args.err != nil {
		return nil, args.err
	}
	return newContext(func(out **C.cgroups_context) C.int {
		return C.cgroups_context_new(cBase, cUser, out)
	})
}

// NewContextSelf is a context at the cgroup the calling process lives in, on base ("" for the
// host's cgroup mount): for a service started with systemd's Delegate=yes, or a container with
// its own cgroup namespace. Groups go directly below the caller's cgroup, with no user
// directory. On cgroup v2 the processes of the caller's cgroup (the caller included) first
// move into its leaf "cgroups.user". ErrUnsupported in a root cgroup; ErrPermission when the
// cgroup was not delegated to the caller.
func NewContextSelf(base string) (*Context, error) {
	var args cStrings
	defer args.free()
	cBase := args.optional("base", base)
	if args.err != nil {
		return nil, args.err
	}
	return newContext(func(out **C.cgroups_context) C.int {
		return C.cgroups_context_new_self(cBase, out)
	})
}

// ScopeManager is the systemd manager NewContextScope asks.
type ScopeManager uint32

// The managers.
const (
	// DefaultManager is SystemManager for root, UserManager otherwise.
	DefaultManager ScopeManager = 0
	// SystemManager is PID 1 (needs root or polkit).
	SystemManager ScopeManager = C.CGROUPS_SCOPE_SYSTEM
	// UserManager is the calling user's manager (user@UID.service).
	UserManager ScopeManager = C.CGROUPS_SCOPE_USER
)

// NewContextScope asks systemd for a transient scope unit ("NAME.scope"; "" for a unique
// generated name) with Delegate=yes, in slice ("" for the manager's default), holding process
// pid (0 for the calling process: all of it, every goroutine), waits until the manager's job is
// done, and returns a context rooted at the scope's cgroup, as NewContextSelf would give from
// inside it. For a non-root user on cgroup v2 this is the way that needs no root at all.
// ErrInvalidArgument for a bad unit or slice name, an unknown manager or a negative pid (before
// the manager is asked); ErrUnsupported when PID 1 is not systemd, its bus is unreachable, or
// the library was built without systemd support (nothing is moved); ErrPermission when the
// manager refuses; ErrNoSuchProcess for a dead pid.
func NewContextScope(unit, slice string, pid int, manager ScopeManager) (*Context, error) {
	if pid < 0 || pid > math.MaxInt32 {
		return nil, invalid(fmt.Sprintf("pid %d is not a process id (0: the caller)", pid))
	}
	var args cStrings
	defer args.free()
	cUnit, cSlice := args.optional("unit", unit), args.optional("slice", slice)
	if args.err != nil {
		return nil, args.err
	}
	return newContext(func(out **C.cgroups_context) C.int {
		return C.cgroups_context_new_scope(cUnit, cSlice, C.pid_t(pid), C.uint32_t(manager), out)
	})
}

// newContext wraps the context that create stores, or returns its error.
func newContext(create func(out **C.cgroups_context) C.int) (*Context, error) {
	var ctx *C.cgroups_context
	if err := call(func() C.int { return create(&ctx) }); err != nil {
		return nil, err
	}
	return &Context{ctx: ctx}, nil
}

// Open is the package's Open in the context's base and user subtree.
func (c *Context) Open(name string, controllers Controller) (*Group, error) {
	ctx := c.ctx
	if ctx == nil {
		return nil, ErrClosed
	}
	var args cStrings
	defer args.free()
	cName := args.required("name", name)
	if args.err != nil {
		return nil, args.err
	}
	return newGroup(name, func(out **C.cgroups_cgroup) C.int {
		return C.cgroups_context_open(ctx, cName, C.uint32_t(controllers), out)
	})
}

// Close frees the context; groups opened through it stay usable. Calling it again does
// nothing.
func (c *Context) Close() error {
	C.cgroups_context_free(c.ctx)
	c.ctx = nil
	return nil
}
