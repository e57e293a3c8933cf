// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups_test

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	cgroups "github.com/libcgroups-rs/cgroups-go"
)

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// startIn starts a command and moves it into g, killed and reaped when the test ends (unless
// the test reaped it).
func startIn(t *testing.T, g *cgroups.Group, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	must(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	must(t, g.Add(cmd.Process.Pid))
	return cmd
}

func TestCPUMaxCapsInCPUsAndInfinityIsNoCap(t *testing.T) {
	g := open(t, "cpu-max", cgroups.CPU)
	read := func() float64 {
		t.Helper()
		cpus, err := g.CPUMax()
		must(t, err)
		return cpus
	}
	if got := read(); !math.IsInf(got, 1) {
		t.Fatalf("default %v", got)
	}
	must(t, g.SetCPUMax(1.5))
	if got := read(); got != 1.5 {
		t.Fatalf("after 1.5: %v", got)
	}
	for _, bad := range []float64{0, -1, 0.001, math.NaN(), math.Inf(1)} {
		libraryError(t, g.SetCPUMax(bad), cgroups.ErrInvalidArgument)
	}
	must(t, g.ResetCPUMax())
	if got := read(); !math.IsInf(got, 1) {
		t.Fatalf("after reset %v", got)
	}
}

func firstOnlineCPU(t *testing.T) string {
	online, err := os.ReadFile("/sys/devices/system/cpu/online")
	must(t, err)
	return strings.TrimSpace(strings.FieldsFunc(string(online), func(r rune) bool { return r == ',' || r == '-' })[0])
}

func TestACpusetIsSetPerHalfAndReadBack(t *testing.T) {
	g := open(t, "cpuset", cgroups.Cpuset)
	cpu := firstOnlineCPU(t)
	must(t, g.SetCpusetCPUs(cpu))
	must(t, g.SetCpusetMems("0"))
	cpus, mems, err := g.Cpuset()
	must(t, err)
	if cpus != cpu || mems != "0" {
		t.Fatalf("cpuset %q %q", cpus, mems)
	}
	libraryError(t, g.SetCpusetCPUs("x"), cgroups.ErrInvalidArgument)
	libraryError(t, g.SetCpusetMems("0\x00"), cgroups.ErrInvalidArgument)
	if cpus, _, _ := g.Cpuset(); cpus != cpu {
		t.Fatalf("a refusal changed the CPUs to %q", cpus)
	}
}

func TestMemoryHighIsV2OnlyAndSwapComesOnTopOfMemory(t *testing.T) {
	g := open(t, "memory-high", cgroups.Memory)
	if pureV2() {
		must(t, g.SetMemoryHigh(100, cgroups.Megabytes))
		if high, err := g.MemoryHigh(); err != nil || high != 100<<20 {
			t.Fatalf("high %d, %v", high, err)
		}
		must(t, g.ResetMemoryHigh())
		if high, err := g.MemoryHigh(); err != nil || high != cgroups.Unlimited {
			t.Fatalf("high %d, %v after reset", high, err)
		}
	} else {
		libraryError(t, g.SetMemoryHigh(100, cgroups.Megabytes), cgroups.ErrUnsupported)
		_, err := g.MemoryHigh()
		libraryError(t, err, cgroups.ErrUnsupported)
	}
	swap, err := g.SwapLimit()
	if errors.Is(err, cgroups.ErrUnsupported) {
		libraryError(t, g.SetSwapLimit(10, cgroups.Megabytes), cgroups.ErrUnsupported)
		return
	}
	must(t, err)
	if swap != cgroups.Unlimited {
		t.Fatalf("swap %d", swap)
	}
	must(t, g.SetMemoryLimit(100, cgroups.Megabytes))
	must(t, g.SetSwapLimit(50, cgroups.Megabytes))
	if swap, err := g.SwapLimit(); err != nil || swap != 50<<20 {
		t.Fatalf("swap %d, %v", swap, err)
	}
	must(t, g.SetSwapLimit(0, cgroups.Bytes))
	must(t, g.ResetSwapLimit())
	if swap, err := g.SwapLimit(); err != nil || swap != cgroups.Unlimited {
		t.Fatalf("swap %d, %v after reset", swap, err)
	}
}

func TestPidsLimitAllowsZeroAndResets(t *testing.T) {
	g := open(t, "pids-limit", cgroups.Pids)
	for _, max := range []uint64{10, 0} {
		must(t, g.SetPidsLimit(max))
		if got, err := g.PidsLimit(); err != nil || got != max {
			t.Fatalf("limit %d: read %d, %v", max, got, err)
		}
	}
	libraryError(t, g.SetPidsLimit(4194305), cgroups.ErrInvalidArgument)
	must(t, g.ResetPidsLimit())
	if got, err := g.PidsLimit(); err != nil || got != cgroups.Unlimited {
		t.Fatalf("after reset %d, %v", got, err)
	}
}

// aWholeDisk is a whole disk of this system as MAJ:MIN, or "" when there is none.
func aWholeDisk(t *testing.T) string {
	disks, _ := filepath.Glob("/sys/block/*/dev")
	if len(disks) == 0 {
		return ""
	}
	number, err := os.ReadFile(disks[0])
	must(t, err)
	return strings.TrimSpace(string(number))
}

func TestIOCapsAreSetPerDeviceAndZeroIsNoCap(t *testing.T) {
	g := open(t, "io-max", cgroups.IO)
	_, err := g.IOMax("/dev/null")
	libraryError(t, err, cgroups.ErrInvalidArgument)
	device := aWholeDisk(t)
	if device == "" {
		t.Skip("no block device on this system: only the bad-device branch ran")
	}
	caps := cgroups.IOMax{ReadBPS: 1 << 20, ReadIOPS: 300}
	must(t, g.SetIOMax(device, caps))
	if got, err := g.IOMax(device); err != nil || got != caps {
		t.Fatalf("caps %+v, %v", got, err)
	}
	libraryError(t, g.SetIOMax(device, cgroups.IOMax{WriteBPS: 1}), cgroups.ErrInvalidArgument)
	must(t, g.SetIOMax(device, cgroups.IOMax{}))
	if got, err := g.IOMax(device); err != nil || got != (cgroups.IOMax{}) {
		t.Fatalf("caps %+v, %v after lifting", got, err)
	}
}

func TestAFrozenGroupReportsFrozenUntilThawed(t *testing.T) {
	g := open(t, "freezer", cgroups.Freezer)
	startIn(t, g, "sleep", "600")
	frozen := func() bool {
		t.Helper()
		frozen, err := g.Frozen()
		must(t, err)
		return frozen
	}
	if frozen() {
		t.Fatal("frozen before Freeze")
	}
	must(t, g.Freeze())
	if !frozen() {
		t.Fatal("not frozen after Freeze")
	}
	must(t, g.Thaw())
	if frozen() {
		t.Fatal("frozen after Thaw")
	}
}

func TestKillSignalsEveryMemberAndWaitEmptyWaits(t *testing.T) {
	g := open(t, "killed", cgroups.All)
	members := []*exec.Cmd{startIn(t, g, "sleep", "600"), startIn(t, g, "sleep", "600")}
	err := g.WaitEmpty(0)
	libraryError(t, err, cgroups.ErrTimedOut)
	must(t, g.Kill(syscall.SIGTERM))
	must(t, g.WaitEmpty(10*time.Second))
	for _, member := range members {
		err := member.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Fatalf("member ended with %v", err)
		}
	}
	must(t, g.WaitEmpty(-1))
	libraryError(t, g.Kill(0), cgroups.ErrInvalidArgument)
	libraryError(t, g.Kill(100000), cgroups.ErrInvalidArgument)
}
