// SPDX-License-Identifier: MIT OR Apache-2.0

// Package cgroups manages Linux control groups on cgroup v2, v1 and hybrid hosts through
// libcgroups-rs's C library (found with pkg-config, module "cgroups").
//
// A group is named by a path below a user's subtree of every hierarchy it uses:
//
//	g, err := cgroups.Open("jobs/build-42", cgroups.CPU|cgroups.Memory, "")
//	if err != nil {
//		return err
//	}
//	defer g.Close()
//	err = g.SetMemoryLimit(512, cgroups.Megabytes)
//
// Every failure is an *Error carrying the library's status, the OS errno and its message;
// errors.Is matches it against the status sentinels (ErrPermission, ErrNotFound …) and, through
// the errno, against fs.ErrPermission or syscall values. The library keeps its last error per
// OS thread, so each call runs with its goroutine locked to its thread until the error is read.
// Groups and contexts may be used from several goroutines at once; Close must come after every
// other use.
package cgroups

/*
#cgo pkg-config: cgroups
#include <stdlib.h>
#include <cgroups.h>
*/
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"syscall"
	"unsafe"
)

// Controller is a set of controllers (hierarchies): CPU|Memory, or All.
type Controller uint32

// The controllers.
const (
	CPU     Controller = C.CGROUPS_CPU
	Memory  Controller = C.CGROUPS_MEMORY
	Pids    Controller = C.CGROUPS_PIDS
	Cpuset  Controller = C.CGROUPS_CPUSET
	IO      Controller = C.CGROUPS_IO // blkio on cgroup v1
	Freezer Controller = C.CGROUPS_FREEZER
	// All is every controller the host offers; an existing group is loaded where it exists.
	All Controller = C.CGROUPS_ALL
)

// Unit is the unit of a memory size, in steps of 1024.
type Unit uint32

// The units of SetMemoryLimit.
const (
	Bytes     Unit = C.CGROUPS_BYTES
	Kilobytes Unit = C.CGROUPS_KILOBYTES
	Megabytes Unit = C.CGROUPS_MEGABYTES
	Gigabytes Unit = C.CGROUPS_GIGABYTES
)

// Unlimited is what MemoryLimit reads when there is no limit.
const Unlimited uint64 = math.MaxUint64

// call runs a library call that returns a status and turns a failure into an *Error. The
// goroutine stays locked to its OS thread from the call to the read of the thread's last error.
func call(f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if status := f(); status != C.CGROUPS_OK {
		return &Error{
			Status:  Status(status),
			Errno:   syscall.Errno(C.cgroups_last_errno()),
			Message: C.GoString(C.cgroups_last_error()),
		}
	}
	return nil
}

// cStrings converts string arguments for C and frees them together (defer args.free()). The
// first conversion that fails is kept in err; the ones after it do nothing.
type cStrings struct {
	allocated []unsafe.Pointer
	err       error
}

// required converts s. A NUL byte inside would cut it short, so it is refused.
func (c *cStrings) required(what, s string) *C.char {
	if c.err != nil {
		return nil
	}
	if strings.IndexByte(s, 0) >= 0 {
		c.err = invalid(fmt.Sprintf("%s %q contains a NUL byte", what, s))
		return nil
	}
	converted := C.CString(s)
	c.allocated = append(c.allocated, unsafe.Pointer(converted))
	return converted
}

// optional is required where "" means NULL (the library's default).
func (c *cStrings) optional(what, s string) *C.char {
	if s == "" {
		return nil
	}
	return c.required(what, s)
}

// array converts values to a NULL-terminated array of C strings (argv, envp).
func (c *cStrings) array(what string, values []string) **C.char {
	if c.err != nil {
		return nil
	}
	size := C.size_t(len(values)+1) * C.size_t(unsafe.Sizeof((*C.char)(nil)))
	array := C.malloc(size)
	c.allocated = append(c.allocated, array)
	entries := unsafe.Slice((**C.char)(array), len(values)+1)
	for i, value := range values {
		entries[i] = c.required(what, value)
	}
	entries[len(values)] = nil
	return (**C.char)(array)
}

// free releases every converted string and array.
func (c *cStrings) free() {
	for _, allocation := range c.allocated {
		C.free(allocation)
	}
	c.allocated = nil
}

// UserSetup prepares user's subtree on base ("" for the host's cgroup mount) so that the user
// can manage their own groups without root, as the user_cgroups command does. Needs root
// (ErrPermission otherwise); ErrNoSuchUser for an unknown user. Idempotent.
func UserSetup(base, user string) error {
	var args cStrings
	defer args.free()
	cBase, cUser := args.optional("base", base), args.required("user", user)
	if args.err != nil {
		return args.err
	}
	return call(func() C.int { return C.cgroups_user_setup(cBase, cUser) })
}

// Version is the version of the loaded C library, "MAJOR.MINOR.PATCH".
func Version() string {
	return C.GoString(C.cgroups_version())
}
