// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups

/*
#include <cgroups.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Spawn starts the program argv[0] (searched in PATH when it has no '/') with the arguments
// argv inside the group and returns the process, which the caller waits for (Process.Wait).
// On cgroup v2 it is a member from its first instruction (clone3 into the group); in v1
// hierarchies it joins before exec. It gets the caller's descriptors that are not
// close-on-exec (its standard streams among them; Go opens every other descriptor
// close-on-exec) and env ("NAME=value" entries), or the caller's environment for a nil env.
// ErrOS with Errno set to exec's error (ENOENT, EACCES …: errors.Is(err, fs.ErrNotExist)
// works) when the program cannot run, nothing left running; ErrInvalidArgument for an empty
// argv or an env entry without '='; ErrNotFound when the group was removed.
func (g *Group) Spawn(argv []string, env []string) (*os.Process, error) {
	if len(argv) == 0 {
		return nil, invalid("argv is empty: it needs at least the program")
	}
	return g.spawn(argv[0], argv, env)
}

// spawn is Spawn of the program file, apart from argv[0] (its name, for the program).
func (g *Group) spawn(file string, argv []string, env []string) (*os.Process, error) {
	var args cStrings
	defer args.free()
	cFile, cArgv := args.required("program", file), args.array("argument", argv)
	var cEnv **C.char
	if env != nil {
		cEnv = args.array("environment entry", env)
	}
	if args.err != nil {
		return nil, args.err
	}
	var pid C.pid_t
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_spawn(cg, cFile, cArgv, cEnv, &pid) })
	if err != nil {
		return nil, err
	}
	return os.FindProcess(int(pid))
}

// Start starts cmd inside the group, as cmd.Start() would, through Spawn: cmd.Wait (or Run's
// second half) then works as usual. The library starts the program itself, so only what it can
// honour is accepted: Path, Args and Env; the child shares the caller's standard streams, so
// Stdin, Stdout and Stderr must be os.Stdin, os.Stdout and os.Stderr; Dir, ExtraFiles and
// SysProcAttr must be unset, and a CommandContext's context does not kill the process.
// ErrInvalidArgument names the field otherwise. For the whole of exec.Cmd (pipes, Dir …) on
// cgroup v2 with Go 1.20 or later, give SysProcAttr a CgroupFD from DirFd instead (see the
// README).
func (g *Group) Start(cmd *exec.Cmd) error {
	if cmd.Err != nil {
		return cmd.Err
	}
	if cmd.Process != nil {
		return errors.New("cgroups: exec: already started")
	}
	var unsupported []string
	if cmd.Stdin != os.Stdin || cmd.Stdout != os.Stdout || cmd.Stderr != os.Stderr {
		unsupported = append(unsupported, "Stdin, Stdout and Stderr other than os.Stdin, os.Stdout and os.Stderr")
	}
	if cmd.Dir != "" {
		unsupported = append(unsupported, "Dir")
	}
	if len(cmd.ExtraFiles) > 0 {
		unsupported = append(unsupported, "ExtraFiles")
	}
	if cmd.SysProcAttr != nil {
		unsupported = append(unsupported, "SysProcAttr")
	}
	if len(unsupported) > 0 {
		return invalid("Group.Start cannot honour " + strings.Join(unsupported, ", ") +
			": the library starts the program with the caller's standard streams and directory")
	}
	argv := cmd.Args
	if len(argv) == 0 {
		argv = []string{cmd.Path}
	}
	// Path is the program (exec.Command found it in PATH); Args[0] is only its name.
	process, err := g.spawn(cmd.Path, argv, cmd.Env)
	if err != nil {
		return err
	}
	cmd.Process = process
	return nil
}

// DirFd opens the group's directory in the hierarchy serving controller (one Controller bit;
// on cgroup v2 every bit names the one directory): for Go 1.20's SysProcAttr.CgroupFD (cgroup
// v2 only), or openat. The caller closes it. ErrInvalidArgument for no bit or several;
// ErrControllerUnavailable when the group was opened without controller.
func (g *Group) DirFd(controller Controller) (*os.File, error) {
	var fd C.int
	err := g.do(func(cg *C.cgroups_cgroup) C.int { return C.cgroups_dir_fd(cg, C.uint32_t(controller), &fd) })
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), fmt.Sprintf("cgroup directory of %s", g.name)), nil
}
