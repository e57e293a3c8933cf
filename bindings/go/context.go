package cgroups

/*
#include <cgroups.h>
*/
import "C"

// Context is a base and a user resolved once: opening groups through it reads neither
// /proc/self/mountinfo nor the passwd database again. Groups outlive their context. Its
// methods may be called from several goroutines at once; Close must come last.
type Context struct {
	ctx *C.cgroups_context
}

// NewContext resolves base ("" for the host's cgroup mount; otherwise as for OpenAt) and user
// ("" for the effective user).
func NewContext(base, user string) (*Context, error) {
	cBase, err := cOptional("base", base)
	if err != nil {
		return nil, err
	}
	defer free(cBase)
	cUser, err := cOptional("user", user)
	if err != nil {
		return nil, err
	}
	defer free(cUser)
	var ctx *C.cgroups_context
	if err := call(func() C.int { return C.cgroups_context_new(cBase, cUser, &ctx) }); err != nil {
		return nil, err
	}
	return &Context{ctx: ctx}, nil
}

// NewContextSelf is a context at the cgroup the calling process lives in, on base ("" for the
// host's cgroup mount): for a service started with systemd's Delegate=yes, or a container with
// its own cgroup namespace. Groups go directly below the caller's cgroup, with no user
// directory. On cgroup v2 the processes of the caller's cgroup (the caller included) first
// move into its leaf "cgroups.user". ErrUnsupported in a root cgroup; ErrPermission when the
// cgroup was not delegated to the caller.
func NewContextSelf(base string) (*Context, error) {
	cBase, err := cOptional("base", base)
	if err != nil {
		return nil, err
	}
	defer free(cBase)
	var ctx *C.cgroups_context
	if err := call(func() C.int { return C.cgroups_context_new_self(cBase, &ctx) }); err != nil {
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
	cName, err := cString("name", name)
	if err != nil {
		return nil, err
	}
	defer free(cName)
	var cg *C.cgroups_cgroup
	err = call(func() C.int {
		return C.cgroups_context_open(ctx, cName, C.uint32_t(controllers), &cg)
	})
	if err != nil {
		return nil, err
	}
	return &Group{cg: cg, name: name}, nil
}

// Close frees the context; groups opened through it stay usable. Calling it again does
// nothing.
func (c *Context) Close() error {
	C.cgroups_context_free(c.ctx)
	c.ctx = nil
	return nil
}
