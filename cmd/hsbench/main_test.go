package main

import (
	"os"
	"strings"
	"testing"
)

// execMainVar makes the test binary behave as hsbench when it runs itself
// as a child: 'hsbench capacity' serves the embedded target by running
// os.Executable() with 'serve'.
const execMainVar = "HSBENCH_TEST_EXEC_MAIN"

func TestMain(m *testing.M) {
	// Only a command runs main: tests that run the test binary again
	// (with -test.run) get tests.
	if os.Getenv(execMainVar) == "1" && len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		main()
		return
	}
	os.Setenv(execMainVar, "1")
	os.Exit(m.Run())
}
