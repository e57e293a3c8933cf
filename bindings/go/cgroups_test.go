// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups_test

// Tests on the real kernel, as root, through bindings/with-test-base (make check-bindings):
// every group lives on the base it names in CGROUPS_TEST_BASE, a private test prefix that is
// removed after the run.

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	cgroups "github.com/libcgroups-rs/cgroups-go"
)

var base = os.Getenv("CGROUPS_TEST_BASE")

const helperEnv = "CGROUPS_GO_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helper())
	}
	if base == "" {
		fmt.Fprintln(os.Stderr, "CGROUPS_TEST_BASE is not set: run the tests through bindings/with-test-base (make check-bindings)")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// pureV2 tells whether the base is one cgroup2 tree (else one directory per hierarchy).
func pureV2() bool {
	_, err := os.Stat(filepath.Join(base, "cgroup.controllers"))
	return err == nil
}

// groupDirs lists the directories of root's group name that exist, in every hierarchy.
func groupDirs(t *testing.T, name string) []string {
	t.Helper()
	roots := []string{base}
	if !pureV2() {
		entries, err := os.ReadDir(base)
		if err != nil {
			t.Fatal(err)
		}
		roots = roots[:0]
		for _, entry := range entries {
			roots = append(roots, filepath.Join(base, entry.Name()))
		}
	}
	var dirs []string
	for _, root := range roots {
		dir := filepath.Join(root, "root", name)
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// open opens root's group name on the test base, deleted and closed when the test ends.
func open(t *testing.T, name string, controllers cgroups.Controller) *cgroups.Group {
	t.Helper()
	g, err := cgroups.OpenAt(base, name, controllers, "")
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := g.Delete(); err != nil && !errors.Is(err, cgroups.ErrNotFound) && !errors.Is(err, cgroups.ErrClosed) {
			t.Errorf("delete %s: %v", name, err)
		}
		g.Close()
	})
	return g
}

// sleeper starts `sleep 600`, killed and reaped when the test ends.
func sleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func pids(t *testing.T, g *cgroups.Group) []int {
	t.Helper()
	list, err := g.Pids()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// libraryError asserts that err is an *Error of status want and returns it.
func libraryError(t *testing.T, err error, want cgroups.Status) *cgroups.Error {
	t.Helper()
	var e *cgroups.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *Error of status %v, got %#v", want, err)
	}
	if e.Status != want || !errors.Is(err, want) {
		t.Fatalf("want status %v, got %v: %v", want, e.Status, err)
	}
	return e
}

func TestAGroupLivesInTheUsersSubtreeOfEachHierarchy(t *testing.T) {
	g := open(t, "created", cgroups.CPU|cgroups.Memory)
	dirs := groupDirs(t, "created")
	// v1: one directory in cpu's, one in memory's, and one in cpuacct's where it is a
	// hierarchy apart from cpu's (for CPU usage).
	want := 2
	if _, err := os.Stat(filepath.Join(base, "cpuacct")); err == nil {
		want++
	}
	if g.Name() != "created" || len(dirs) == 0 || (!pureV2() && len(dirs) != want) {
		t.Fatalf("name %q, directories %v", g.Name(), dirs)
	}
}

func TestCPULimitIsASharePercentAndResets(t *testing.T) {
	g := open(t, "cpu-limit", cgroups.CPU)
	read := func() float64 {
		t.Helper()
		percent, err := g.CPULimit()
		if err != nil {
			t.Fatal(err)
		}
		return percent
	}
	if got := read(); got != 100 {
		t.Fatalf("default %v", got)
	}
	if err := g.SetCPULimit(50); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != 50 {
		t.Fatalf("after 50: %v", got)
	}
	// v1 stores 1/1024ths of the default, v2 whole percents.
	if err := g.SetCPULimit(80); err != nil {
		t.Fatal(err)
	}
	if got := read(); math.Abs(got-80) > 0.1 {
		t.Fatalf("after 80: %v", got)
	}
	if err := g.ResetCPULimit(); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != 100 {
		t.Fatalf("after reset: %v", got)
	}
	e := libraryError(t, g.SetCPULimit(0), cgroups.ErrInvalidArgument)
	if !strings.HasPrefix(e.Message, "invalid argument: ") || e.Errno != 0 {
		t.Fatalf("%#v", e)
	}
}

func TestMemoryLimitInUnitsAndUnlimited(t *testing.T) {
	g := open(t, "memory-limit", cgroups.Memory)
	read := func() uint64 {
		t.Helper()
		limit, err := g.MemoryLimit()
		if err != nil {
			t.Fatal(err)
		}
		return limit
	}
	if got := read(); got != cgroups.Unlimited {
		t.Fatalf("default %d", got)
	}
	for _, c := range []struct {
		limit uint64
		unit  cgroups.Unit
		bytes uint64
	}{
		{500, cgroups.Megabytes, 500 << 20},
		{1, cgroups.Gigabytes, 1 << 30},
		{1536, cgroups.Kilobytes, 1536 << 10},
		{64 << 20, cgroups.Bytes, 64 << 20},
	} {
		if err := g.SetMemoryLimit(c.limit, c.unit); err != nil {
			t.Fatal(err)
		}
		if got := read(); got != c.bytes {
			t.Fatalf("%d in unit %d: read %d", c.limit, c.unit, got)
		}
	}
	libraryError(t, g.SetMemoryLimit(0, cgroups.Megabytes), cgroups.ErrInvalidArgument)
	libraryError(t, g.SetMemoryLimit(1<<40, cgroups.Gigabytes), cgroups.ErrInvalidArgument)
	libraryError(t, g.SetMemoryLimit(1, cgroups.Unit(7)), cgroups.ErrInvalidArgument)
	if err := g.ResetMemoryLimit(); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != cgroups.Unlimited {
		t.Fatalf("after reset %d", got)
	}
}

func TestAddRemoveAndPids(t *testing.T) {
	g := open(t, "members", cgroups.CPU|cgroups.Memory)
	first, second := sleeper(t).Process.Pid, sleeper(t).Process.Pid
	if got := pids(t, g); len(got) != 0 {
		t.Fatalf("new group has %v", got)
	}
	for _, pid := range []int{first, first, second} {
		if err := g.Add(pid); err != nil {
			t.Fatal(err)
		}
	}
	want := []int{first, second}
	sort.Ints(want)
	if got := pids(t, g); !reflect.DeepEqual(got, want) {
		t.Fatalf("pids %v, want %v", got, want)
	}
	for i := 0; i < 2; i++ {
		if err := g.Remove(second); err != nil {
			t.Fatal(err)
		}
	}
	if got := pids(t, g); !reflect.DeepEqual(got, []int{first}) {
		t.Fatalf("pids %v after remove", got)
	}
}

func TestADeadProcessIsNoSuchProcessWithItsErrno(t *testing.T) {
	g := open(t, "dead-process", cgroups.CPU)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	err := g.Add(cmd.Process.Pid)
	e := libraryError(t, err, cgroups.ErrNoSuchProcess)
	if e.Errno != syscall.ESRCH || !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("errno %v", e.Errno)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(cmd.Process.Pid)) {
		t.Fatalf("message %q does not name the pid", err)
	}
	libraryError(t, g.Add(0), cgroups.ErrInvalidArgument)
	libraryError(t, g.Add(1<<40), cgroups.ErrInvalidArgument)
}

func TestErrorsCarryTheLibrarysSentenceAndStatus(t *testing.T) {
	_, err := cgroups.OpenAt(base, "..", cgroups.CPU, "")
	e := libraryError(t, err, cgroups.ErrInvalidArgument)
	if !strings.HasPrefix(e.Message, "invalid argument: ") || strings.Count(e.Message, "invalid argument") != 1 {
		t.Fatalf("message %q", e.Message)
	}
	if err.Error() != e.Message || e.Errno != 0 || errors.Unwrap(err) != nil {
		t.Fatalf("%#v", e)
	}
	if errors.Is(err, cgroups.ErrNotFound) {
		t.Fatal("an invalid argument is not ErrNotFound")
	}
	if cgroups.ErrBusy.Error() == "" || cgroups.Status(999).Error() != "unknown status" {
		t.Fatal("statuses describe themselves")
	}
	_, err = cgroups.OpenAt(base, "a\x00b", cgroups.CPU, "")
	libraryError(t, err, cgroups.ErrInvalidArgument)
	if dirs := groupDirs(t, "a"); len(dirs) != 0 {
		t.Fatalf("a name with NUL made %v", dirs)
	}
	_, err = cgroups.OpenAt(t.TempDir(), "x", cgroups.CPU, "")
	libraryError(t, err, cgroups.ErrNotMounted)
}

func TestAGroupWithoutAControllerSaysSo(t *testing.T) {
	g := open(t, "cpu-only", cgroups.CPU)
	_, err := g.MemoryLimit()
	libraryError(t, err, cgroups.ErrControllerUnavailable)
}

func TestDeleteMovesMembersBackAndKillsNobody(t *testing.T) {
	g := open(t, "deleted", cgroups.All)
	member := sleeper(t)
	if err := g.Add(member.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if err := g.Delete(); err != nil {
		t.Fatal(err)
	}
	if err := member.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("delete killed the member: %v", err)
	}
	if dirs := groupDirs(t, "deleted"); len(dirs) != 0 {
		t.Fatalf("left %v", dirs)
	}
	_, err := g.Pids()
	libraryError(t, err, cgroups.ErrNotFound)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v is not fs.ErrNotExist", err)
	}
}

func TestDeleteRefusesAGroupWithChildGroups(t *testing.T) {
	parent := open(t, "parent", cgroups.CPU)
	child := open(t, "parent/child", cgroups.CPU)
	libraryError(t, parent.Delete(), cgroups.ErrBusy)
	if err := child.Delete(); err != nil {
		t.Fatal(err)
	}
	if err := parent.Delete(); err != nil {
		t.Fatal(err)
	}
}

func TestClosedHandlesReturnErrClosed(t *testing.T) {
	g := open(t, "closed-early", cgroups.CPU)
	g.Close()
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if err := g.SetCPULimit(10); !errors.Is(err, cgroups.ErrClosed) {
		t.Fatalf("got %v", err)
	}
	ctx, err := cgroups.NewContext(base, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx.Close()
	if _, err := ctx.Open("too-late", cgroups.CPU); !errors.Is(err, cgroups.ErrClosed) {
		t.Fatalf("got %v", err)
	}
}

func TestAContextOpensGroupsThatOutliveIt(t *testing.T) {
	ctx, err := cgroups.NewContext(base, "root")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ctx.Open("via-context", cgroups.CPU)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx.Close()
	if err := g.SetCPULimit(20); err != nil {
		t.Fatal(err)
	}
	if len(groupDirs(t, "via-context")) == 0 {
		t.Fatal("no directory")
	}
	if err := g.Delete(); err != nil {
		t.Fatal(err)
	}
	_, err = cgroups.NewContext(base, "no-such-user-cgroups-rs")
	libraryError(t, err, cgroups.ErrNoSuchUser)
}

// A child of this test binary that waits for a line on stdin (sent once it is in a group),
// then opens a group below its own cgroup and prints the CPU share it set there.
func helper() int {
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, err := cgroups.NewContextSelf(base)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ctx.Close()
	job, err := ctx.Open("job", cgroups.CPU)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer job.Close()
	if err := job.SetCPULimit(40); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	percent, err := job.CPULimit()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%.0f\n", percent)
	if err := job.Delete(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestNewContextSelfMakesGroupsBelowTheCallersCgroup(t *testing.T) {
	service := open(t, "service", cgroups.All)
	t.Cleanup(func() {
		// On v2 the library leaves the leaf it made for the service's processes behind, and
		// delete refuses a group with a child group.
		if pureV2() {
			os.Remove(filepath.Join(base, "root", "service", "cgroups.user"))
		}
	})
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := service.Add(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal(err)
	}
	fmt.Fprintln(stdin, "go")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v: %s", err, stderr.String())
	}
	if strings.TrimSpace(stdout.String()) != "40" {
		t.Fatalf("helper printed %q", stdout.String())
	}
}

// Failures on many goroutines at once: each error must be the one its own call caused, which
// holds only if no goroutine moves to another OS thread between its call and the read of the
// thread's last error.
func TestConcurrentFailuresKeepTheirOwnMessages(t *testing.T) {
	g := open(t, "concurrent", cgroups.CPU)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	failures := make(chan string, 64)
	for worker := 0; worker < 16; worker++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				var err error
				var want cgroups.Status
				var needle string
				if (worker+i)%2 == 0 {
					name := fmt.Sprintf("bad-%d-%d/..", worker, i)
					_, err = cgroups.OpenAt(base, name, cgroups.CPU, "")
					want, needle = cgroups.ErrInvalidArgument, name
				} else {
					err = g.Add(gone.Process.Pid)
					want, needle = cgroups.ErrNoSuchProcess, fmt.Sprint(gone.Process.Pid)
				}
				var e *cgroups.Error
				if !errors.As(err, &e) || e.Status != want || !strings.Contains(e.Message, needle) {
					failures <- fmt.Sprintf("worker %d: want %v naming %q, got %v", worker, want, needle, err)
					return
				}
			}
		}(worker)
	}
	wg.Wait()
	close(failures)
	for failure := range failures {
		t.Error(failure)
	}
}

func TestUserSetupPreparesAUserAndRefusesUnknownOnes(t *testing.T) {
	name := os.Getenv("CGROUPS_TEST_USER")
	if name == "" {
		name = "nobody"
	}
	account, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := cgroups.UserSetup(base, name); err != nil {
		t.Fatal(err)
	}
	ctx, err := cgroups.NewContext(base, name)
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	g, err := ctx.Open("prepared", cgroups.CPU)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Delete(); err != nil {
		t.Fatal(err)
	}
	userDirs := []string{filepath.Join(base, name)}
	if !pureV2() {
		userDirs, _ = filepath.Glob(filepath.Join(base, "*", name))
	}
	if len(userDirs) == 0 {
		t.Fatal("no directory for the user")
	}
	for _, dir := range userDirs {
		info, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if uid := fmt.Sprint(info.Sys().(*syscall.Stat_t).Uid); uid != account.Uid {
			t.Fatalf("%s belongs to uid %s, not the user's %s", dir, uid, account.Uid)
		}
	}
	libraryError(t, cgroups.UserSetup(base, "no-such-user-cgroups-rs"), cgroups.ErrNoSuchUser)
}

func TestVersionIsMajorMinorPatch(t *testing.T) {
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(cgroups.Version()) {
		t.Fatalf("version %q", cgroups.Version())
	}
}
