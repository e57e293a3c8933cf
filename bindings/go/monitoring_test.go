// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	cgroups "github.com/libcgroups-rs/cgroups-go"
)

// busyIn runs a short busy loop inside g.
func busyIn(t *testing.T, g *cgroups.Group) {
	t.Helper()
	cmd := exec.Command("sh", "-c", "read go; i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done")
	stdin, err := cmd.StdinPipe()
	must(t, err)
	must(t, cmd.Start())
	if err := g.Add(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal(err)
	}
	io.WriteString(stdin, "go\n")
	must(t, cmd.Wait())
}

func TestStatsGiveWhatTheGroupHasAndNilForTheRest(t *testing.T) {
	g := open(t, "stats", cgroups.CPU|cgroups.Memory)
	startIn(t, g, "sleep", "600")
	busyIn(t, g)
	stats, err := g.Stats(cgroups.StatAll)
	must(t, err)
	want := cgroups.StatMemoryCurrent | cgroups.StatMemoryStat | cgroups.StatCPUUsage
	if stats.Present&want != want || stats.MemoryCurrent == nil || stats.MemoryStat == nil || stats.CPUUsage == nil {
		t.Fatalf("present %#x: %+v", stats.Present, stats)
	}
	if stats.CPUUsage.Total <= 0 {
		t.Fatalf("CPU usage %v after a busy loop", stats.CPUUsage.Total)
	}
	if stats.Present&cgroups.StatPids != 0 || stats.Pids != nil {
		t.Fatalf("pids present in a group without pids: %+v", stats.Pids)
	}
	only, err := g.Stats(cgroups.StatMemoryCurrent)
	must(t, err)
	// (Memory is charged where it was allocated: the members allocated theirs before Add.)
	if only.Present != cgroups.StatMemoryCurrent || only.CPUUsage != nil || only.MemoryCurrent == nil {
		t.Fatalf("%+v", only)
	}
	_, err = g.Stats(cgroups.StatAll | 512)
	libraryError(t, err, cgroups.ErrInvalidArgument)
}

func TestAStatsReaderReadsAgainAndOutlivesTheGroup(t *testing.T) {
	g := open(t, "reader", cgroups.CPU|cgroups.Memory)
	reader, err := g.StatsReader(cgroups.StatMemoryCurrent | cgroups.StatCPUUsage)
	must(t, err)
	defer reader.Close()
	for i := 0; i < 2; i++ {
		stats, err := reader.Read()
		must(t, err)
		if stats.MemoryCurrent == nil || stats.CPUUsage == nil {
			t.Fatalf("%+v", stats)
		}
	}
	must(t, g.Delete())
	g.Close()
	_, err = reader.Read()
	libraryError(t, err, cgroups.ErrNotFound)
	reader.Close()
	if _, err := reader.Read(); !errors.Is(err, cgroups.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestPressureReadsWhereTheGroupHasACgroup2Directory(t *testing.T) {
	g := open(t, "pressure", cgroups.CPU|cgroups.Memory)
	_, err := g.Pressure(cgroups.Pids)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	pressure, err := g.Pressure(cgroups.Memory)
	if !pureV2() {
		libraryError(t, err, cgroups.ErrUnsupported)
	} else {
		must(t, err)
		if pressure.Some.Avg10 < 0 || pressure.Some.Avg10 > 100 || pressure.Full.Total < 0 {
			t.Fatalf("%+v", pressure)
		}
	}
	for _, bad := range [][2]time.Duration{{150 * time.Millisecond, 100 * time.Millisecond},
		{0, time.Second}, {time.Second, 20 * time.Second}, {-1, time.Second}} {
		_, err := g.PressureTrigger(cgroups.Memory, false, bad[0], bad[1])
		libraryError(t, err, cgroups.ErrInvalidArgument)
	}
	trigger, err := g.PressureTrigger(cgroups.Memory, false, 100*time.Millisecond, 2*time.Second)
	if !pureV2() {
		libraryError(t, err, cgroups.ErrUnsupported)
		return
	}
	must(t, err)
	fired, err := trigger.Wait(0)
	if err != nil || fired || trigger.Fd() == ^uintptr(0) {
		t.Fatalf("fired %v, %v", fired, err)
	}
	must(t, trigger.Close())
	if _, err := trigger.Wait(0); !errors.Is(err, cgroups.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// readable waits up to timeout for fd to be readable, with epoll.
func readable(t *testing.T, fd uintptr, timeout time.Duration) bool {
	t.Helper()
	epoll, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	must(t, err)
	defer syscall.Close(epoll)
	must(t, syscall.EpollCtl(epoll, syscall.EPOLL_CTL_ADD, int(fd),
		&syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}))
	events := make([]syscall.EpollEvent, 1)
	for {
		n, err := syscall.EpollWait(epoll, events, int(timeout/time.Millisecond))
		if err != syscall.EINTR {
			must(t, err)
			return n > 0
		}
	}
}

func TestAWatchReportsEmptyThroughItsDescriptor(t *testing.T) {
	g := open(t, "watched", cgroups.CPU|cgroups.Memory)
	member := startIn(t, g, "sleep", "600")
	w, err := g.Watch(cgroups.EventEmpty)
	must(t, err)
	defer w.Close()
	if events, err := w.Read(); err != nil || events != 0 {
		t.Fatalf("first read %v, %v", events, err)
	}
	if events, err := w.Wait(50 * time.Millisecond); err != nil || events != 0 {
		t.Fatalf("wait %v, %v", events, err)
	}
	member.Process.Kill()
	member.Wait()
	var fired cgroups.Event
	deadline := time.Now().Add(10 * time.Second)
	for fired == 0 && time.Now().Before(deadline) {
		if readable(t, w.Fd(), time.Until(deadline)) {
			fired, err = w.Read()
			must(t, err)
		}
	}
	if fired != cgroups.EventEmpty {
		t.Fatalf("fired %v", fired)
	}
	w.Close()
	if _, err := w.Read(); !errors.Is(err, cgroups.ErrClosed) || w.Fd() != ^uintptr(0) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestAWatchReportsAFreeze(t *testing.T) {
	g := open(t, "watched-freeze", cgroups.Freezer)
	startIn(t, g, "sleep", "600")
	w, err := g.Watch(cgroups.EventFrozen | cgroups.EventEmpty)
	must(t, err)
	defer w.Close()
	if events, err := w.Read(); err != nil || events != 0 {
		t.Fatalf("first read %v, %v", events, err)
	}
	must(t, g.Freeze())
	defer g.Thaw()
	if events, err := w.Wait(10 * time.Second); err != nil || events != cgroups.EventFrozen {
		t.Fatalf("events %v, %v", events, err)
	}
}

func TestAWatchOfARemovedGroupIsNotFound(t *testing.T) {
	g := open(t, "watched-then-deleted", cgroups.CPU)
	w, err := g.Watch(cgroups.EventEmpty)
	must(t, err)
	defer w.Close()
	if events, err := w.Read(); err != nil || events != cgroups.EventEmpty {
		t.Fatalf("the first read reports the group already empty: %v, %v", events, err)
	}
	must(t, g.Delete())
	_, err = w.Wait(5 * time.Second)
	libraryError(t, err, cgroups.ErrNotFound)
}

func TestWatchesNeedAnEventAndItsController(t *testing.T) {
	g := open(t, "watch-arguments", cgroups.CPU)
	_, err := g.Watch(0)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	_, err = g.Watch(64)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	_, err = g.Watch(cgroups.EventOOM)
	libraryError(t, err, cgroups.ErrControllerUnavailable)
	if s := fmt.Sprint(cgroups.EventEmpty | cgroups.EventOOM | 64); s != "empty|oom|0x40" {
		t.Fatalf("String: %q", s)
	}
}

func TestAScopeContextChecksArgumentsAndNeedsSystemd(t *testing.T) {
	_, err := cgroups.NewContextScope("no-suffix", "", 0, cgroups.DefaultManager)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	_, err = cgroups.NewContextScope("", "", -1, cgroups.DefaultManager)
	libraryError(t, err, cgroups.ErrInvalidArgument)
	_, err = cgroups.NewContextScope("", "", 0, cgroups.ScopeManager(7))
	libraryError(t, err, cgroups.ErrInvalidArgument)
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("PID 1 is systemd: a scope would be made (the Python suite covers it)")
	}
	member := sleeper(t)
	_, err = cgroups.NewContextScope("", "", member.Process.Pid, cgroups.SystemManager)
	libraryError(t, err, cgroups.ErrUnsupported)
}
