package emulate

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// CleanupStale deletes namespaces left behind by hsbench processes that
// no longer exist (named hsbench-<pid>-... with a dead pid), for example
// after a crash or SIGKILL. Namespaces of live processes, including this
// one, are left alone. Setup calls it; it needs the same privileges.
func CleanupStale() error {
	ip, err := findIP()
	if err != nil {
		return err
	}
	names, err := staleNames()
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		if err := deleteNS(ip, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// staleNames lists hsbench namespaces whose creating process is gone.
func staleNames() ([]string, error) {
	seen := map[string]bool{}
	var stale []string
	for _, dir := range netnsDirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		for _, e := range entries {
			n := e.Name()
			if seen[n] {
				continue
			}
			seen[n] = true
			if pid, ok := ownerPID(n); ok && !processAlive(pid) {
				stale = append(stale, n)
			}
		}
	}
	return stale, nil
}

// ownerPID extracts the pid from hsbench-<pid>-..., reporting whether the
// name has that form.
func ownerPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, nsPrefix)
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(num)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
