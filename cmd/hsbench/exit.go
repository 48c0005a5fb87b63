package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes, documented in the README.
const (
	exitOK          = 0
	exitFailed      = 1   // run: error rate above --max-error-rate; compare: regression
	exitUsage       = 2   // bad flags, arguments or input files
	exitInconcl     = 3   // compare --strict: inconclusive
	exitInvalid     = 4   // compare: results that cannot be compared
	exitInterrupted = 130 // a stop signal (SIGINT, SIGTERM, SIGHUP)
	exitQuit        = 131 // SIGQUIT: quit at once
)

// exitError carries an exit code; its message (if any) is printed to stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usagef reports bad input: exit code 2.
func usagef(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("hsbench: "+format, args...)}
}

// withCode wraps err with an exit code.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, err)
	return exitFailed
}
