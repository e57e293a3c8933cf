// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

import (
	"errors"
	"syscall"
)

// Status is a status of the C library. Each non-OK status is also an error, the sentinel that
// errors.Is matches an *Error of that status against: errors.Is(err, cgroups.ErrNotFound).
type Status int

// The statuses; values are fixed by the C library and never reused.
const (
	// OK is success; no *Error has it.
	OK Status = C.CGROUPS_OK
	// ErrNullArgument: a required argument reached the library as NULL (a bug here).
	ErrNullArgument Status = C.CGROUPS_E_NULL_ARGUMENT
	// ErrInvalidArgument: a malformed or out-of-range name, percentage, size, unit, pid.
	ErrInvalidArgument Status = C.CGROUPS_E_INVALID_ARGUMENT
	// ErrNotMounted: no cgroup filesystem at the base.
	ErrNotMounted Status = C.CGROUPS_E_NOT_MOUNTED
	// ErrControllerUnavailable: the host, or the group, lacks a requested controller.
	ErrControllerUnavailable Status = C.CGROUPS_E_CONTROLLER_UNAVAILABLE
	// ErrPermission: the kernel refused for lack of privilege; the message says what to do.
	ErrPermission Status = C.CGROUPS_E_PERMISSION
	// ErrNoSuchProcess: the process does not exist.
	ErrNoSuchProcess Status = C.CGROUPS_E_NO_SUCH_PROCESS
	// ErrNoSuchUser: the user has no passwd entry.
	ErrNoSuchUser Status = C.CGROUPS_E_NO_SUCH_USER
	// ErrNotFound: the group does not exist (any more).
	ErrNotFound Status = C.CGROUPS_E_NOT_FOUND
	// ErrBusy: child groups, a memory limit below usage (v1), or processes where v2 forbids them.
	ErrBusy Status = C.CGROUPS_E_BUSY
	// ErrUnsupported: the running kernel lacks the interface.
	ErrUnsupported Status = C.CGROUPS_E_UNSUPPORTED
	// ErrOS: another operating-system error; see Error.Errno.
	ErrOS Status = C.CGROUPS_E_OS
	// ErrInternal: a bug in the library (a caught panic); please report it.
	ErrInternal Status = C.CGROUPS_E_INTERNAL
	// ErrTimedOut: a bounded wait ended first (the group did not freeze, thaw or empty in
	// time).
	ErrTimedOut Status = C.CGROUPS_E_TIMED_OUT
)

// Error returns the library's short description of the status.
func (s Status) Error() string {
	return C.GoString(C.cgroups_strerror(C.int(s)))
}

// Error is a failed call.
type Error struct {
	// Status is the kind of failure.
	Status Status
	// Errno is the OS error behind the failure, or 0 when it had none.
	Errno syscall.Errno
	// Message is the library's description: a complete sentence that names the category,
	// the path and the OS error.
	Message string
}

// Error returns the library's message.
func (e *Error) Error() string {
	return e.Message
}

// Is reports whether target is the status of e (errors.Is(err, cgroups.ErrBusy)).
func (e *Error) Is(target error) bool {
	status, ok := target.(Status)
	return ok && status == e.Status
}

// Unwrap gives the OS error, so that errors.Is(err, fs.ErrPermission) or
// errors.Is(err, syscall.ESRCH) work; nil when there was none.
func (e *Error) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// ErrClosed is returned by calls on a Group, Context, StatsReader, Watch or PressureTrigger
// after Close.
var ErrClosed = errors.New("cgroups: use of a closed handle")

// invalid is an ErrInvalidArgument found before calling the library.
func invalid(reason string) *Error {
	return &Error{Status: ErrInvalidArgument, Message: "invalid argument: " + reason}
}
