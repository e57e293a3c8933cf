// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups_test

import (
	"errors"
	"fmt"
	"log"
	"os/exec"

	cgroups "github.com/libcgroups-rs/cgroups-go"
)

// The README's example; cgroups.Open("job", …) would use the host's cgroup mount.
func Example() {
	g, err := cgroups.OpenAt(base, "job", cgroups.CPU|cgroups.Memory, "")
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	defer g.Delete() // members move back to the user's group; nobody is killed
	g.SetCPULimit(50)
	g.SetMemoryLimit(256, cgroups.Megabytes)
	worker := exec.Command("sleep", "1")
	worker.Start()
	g.Add(worker.Process.Pid)
	pids, _ := g.Pids()
	fmt.Println(len(pids))
	worker.Wait()
	_, err = cgroups.OpenAt(base, "../escape", cgroups.CPU, "")
	fmt.Println(errors.Is(err, cgroups.ErrInvalidArgument))
	// Output:
	// 1
	// true
}

// A job with a CPU cap, watched until its last process is gone, then its statistics: a nil
// field is one the host could not give.
func ExampleGroup_Watch() {
	g, err := cgroups.OpenAt(base, "watched-job", cgroups.CPU|cgroups.Memory, "")
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	defer g.Delete()
	g.SetCPUMax(1.5) // at most one and a half CPUs
	worker := exec.Command("sleep", "0.2")
	worker.Start()
	g.Add(worker.Process.Pid)
	w, err := g.Watch(cgroups.EventEmpty)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	for events := cgroups.Event(0); events&cgroups.EventEmpty == 0; {
		events, err = w.Wait(-1) // or poll w.Fd() for reading, then w.Read()
		if err != nil {
			log.Fatal(err)
		}
	}
	worker.Wait()
	stats, _ := g.Stats(cgroups.StatCPUUsage | cgroups.StatMemoryCurrent)
	fmt.Println(stats.CPUUsage != nil, stats.MemoryCurrent != nil, stats.Pids == nil)
	// Output: true true true
}
