// SPDX-License-Identifier: MIT OR Apache-2.0

package cgroups_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The functions that do not map to Go, and why.
var notCalled = map[string]string{
	"cgroups_attach_self": "Go runs no code of the caller's between fork and exec: Group.Start serves",
}

// Every function of the installed header (found through pkg-config) is called by the package:
// the binding covers the whole C API.
func TestEveryFunctionOfTheHeaderIsCalled(t *testing.T) {
	includedir, err := exec.Command("pkg-config", "--variable=includedir", "cgroups").Output()
	if err != nil {
		t.Skipf("no pkg-config here: %v", err)
	}
	header, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(includedir)), "cgroups.h"))
	must(t, err)
	sources, err := filepath.Glob("*.go")
	must(t, err)
	var calls strings.Builder
	for _, source := range sources {
		if !strings.HasSuffix(source, "_test.go") {
			text, err := os.ReadFile(source)
			must(t, err)
			calls.Write(text)
		}
	}
	functions := regexp.MustCompile(`\b(cgroups_\w+)\([^)]*\);`).FindAllStringSubmatch(string(header), -1)
	if len(functions) == 0 {
		t.Fatal("no function found in the header")
	}
	for _, function := range functions {
		if _, skipped := notCalled[function[1]]; !skipped && !strings.Contains(calls.String(), "C."+function[1]+"(") {
			t.Errorf("%s is not called", function[1])
		}
	}
}
