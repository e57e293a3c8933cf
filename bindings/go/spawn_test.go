// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	cgroups "github.com/libcgroups-rs/cgroups-go"
)

// inheriting sets a command's standard streams to the caller's, as Group.Start requires.
func inheriting(cmd *exec.Cmd) *exec.Cmd {
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd
}

func TestStartRunsACommandInsideTheGroupAndWaitWorks(t *testing.T) {
	g := open(t, "started", cgroups.CPU|cgroups.Memory)
	sleeper := inheriting(exec.Command("sleep", "600"))
	must(t, g.Start(sleeper))
	if got := pids(t, g); !reflect.DeepEqual(got, []int{sleeper.Process.Pid}) {
		t.Fatalf("pids %v, want the sleeper %d", got, sleeper.Process.Pid)
	}
	must(t, sleeper.Process.Kill())
	err := sleeper.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("Wait: %v", err)
	}
	failing := inheriting(exec.Command("sh", "-c", "exit 3"))
	must(t, g.Start(failing))
	if err := failing.Wait(); !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("Wait: %v", err)
	}
	if err := g.Start(failing); err == nil {
		t.Fatal("a command started twice")
	}
}

func TestStartRefusesWhatTheLibraryCannotHonour(t *testing.T) {
	g := open(t, "start-refusals", cgroups.CPU)
	for name, cmd := range map[string]*exec.Cmd{
		"Stdout": exec.Command("true"),
		"Dir":    func() *exec.Cmd { c := inheriting(exec.Command("true")); c.Dir = "/"; return c }(),
		"SysProcAttr": func() *exec.Cmd {
			c := inheriting(exec.Command("true"))
			c.SysProcAttr = &syscall.SysProcAttr{}
			return c
		}(),
	} {
		err := g.Start(cmd)
		e := libraryError(t, err, cgroups.ErrInvalidArgument)
		if !strings.Contains(e.Message, name) || cmd.Process != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	missing := inheriting(exec.Command("no-such-program-cgroups-rs"))
	if err := g.Start(missing); !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("a missing program: %v", err)
	}
	if got := pids(t, g); len(got) != 0 {
		t.Fatalf("refusals started %v", got)
	}
}

func TestSpawnGivesTheEnvironmentAndTheProgramSeesItsGroup(t *testing.T) {
	g := open(t, "spawned", cgroups.CPU|cgroups.Memory)
	out := filepath.Join(t.TempDir(), "out")
	script := `cat /proc/self/cgroup > "$OUT"; echo "$GREETING" >> "$OUT"`
	process, err := g.Spawn([]string{"sh", "-c", script}, []string{"PATH=" + os.Getenv("PATH"), "OUT=" + out, "GREETING=hello"})
	must(t, err)
	state, err := process.Wait()
	must(t, err)
	if !state.Success() {
		t.Fatalf("%v", state)
	}
	written, err := os.ReadFile(out)
	must(t, err)
	lines := strings.Split(strings.TrimSpace(string(written)), "\n")
	if lines[len(lines)-1] != "hello" || !strings.Contains(string(written), "/root/spawned\n") {
		t.Fatalf("the program wrote %q", written)
	}
}

func TestSpawnReportsExecsErrnoAndBadArguments(t *testing.T) {
	g := open(t, "spawn-errors", cgroups.CPU)
	_, err := g.Spawn([]string{"/nonexistent/program"}, nil)
	e := libraryError(t, err, cgroups.ErrOS)
	if e.Errno != syscall.ENOENT || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("errno %v", e.Errno)
	}
	_, err = g.Spawn(nil, nil)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	_, err = g.Spawn([]string{"true"}, []string{"NO_EQUALS_SIGN"})
	libraryError(t, err, cgroups.ErrInvalidArgument)
	_, err = g.Spawn([]string{"tr\x00ue"}, nil)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	if got := pids(t, g); len(got) != 0 {
		t.Fatalf("failures left %v", got)
	}
}

func TestDirFdOpensTheGroupsDirectory(t *testing.T) {
	g := open(t, "dir-fd", cgroups.CPU)
	dir, err := g.DirFd(cgroups.CPU)
	must(t, err)
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	must(t, err)
	if !strings.Contains(fmt.Sprint(names), "cgroup.procs") {
		t.Fatalf("entries %v", names)
	}
	_, err = g.DirFd(cgroups.CPU | cgroups.Memory)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	if !pureV2() {
		_, err = g.DirFd(cgroups.Memory)
		libraryError(t, err, cgroups.ErrControllerUnavailable)
	}
}
