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

// cString converts a string argument for C; the caller frees it. A NUL byte inside would cut
// it short, so it is refused.
func cString(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, invalid(fmt.Sprintf("%s %q contains a NUL byte", what, s))
	}
	return C.CString(s), nil
}

// cOptional is cString where "" means NULL (the library's default).
func cOptional(what, s string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return cString(what, s)
}

// free releases strings from cString and cOptional.
func free(values ...*C.char) {
	for _, s := range values {
		C.free(unsafe.Pointer(s))
	}
}

// UserSetup prepares user's subtree on base ("" for the host's cgroup mount) so that the user
// can manage their own groups without root, as the user_cgroups command does. Needs root
// (ErrPermission otherwise); ErrNoSuchUser for an unknown user. Idempotent.
func UserSetup(base, user string) error {
	cBase, err := cOptional("base", base)
	if err != nil {
		return err
	}
	cUser, err := cString("user", user)
	if err != nil {
		free(cBase)
		return err
	}
	defer free(cBase, cUser)
	return call(func() C.int { return C.cgroups_user_setup(cBase, cUser) })
}

// Version is the version of the loaded C library, "MAJOR.MINOR.PATCH".
func Version() string {
	return C.GoString(C.cgroups_version())
}
