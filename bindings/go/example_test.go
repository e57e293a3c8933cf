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
