package main

import (
	"os"
	"testing"
)

// execMainVar makes the test binary behave as hsbench when it runs itself
// as a child: 'hsbench capacity' serves the embedded target by running
// os.Executable() with 'serve'.
const execMainVar = "HSBENCH_TEST_EXEC_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(execMainVar) == "1" {
		main()
		return
	}
	os.Setenv(execMainVar, "1")
	os.Exit(m.Run())
}
