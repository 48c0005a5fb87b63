package emulate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
)

// nsPrefix starts the name of every namespace this package creates. The
// full name is hsbench-<pid>-<seq>-<side>, so CleanupStale can tell
// which process made it.
const nsPrefix = "hsbench-"

// netnsDirs are where iproute2 keeps named namespaces (/var/run is
// usually a link to /run).
var netnsDirs = []string{"/run/netns", "/var/run/netns"}

var linkSeq atomic.Uint64

// newNames returns fresh client and server namespace names.
func newNames() (client, server string) {
	base := nsPrefix + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(linkSeq.Add(1), 10)
	return base + "-c", base + "-s"
}

// nsPath returns the file that names a namespace, for setns.
func nsPath(name string) string {
	for _, d := range netnsDirs {
		p := d + "/" + name
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return netnsDirs[0] + "/" + name
}

// findIP returns the path of the ip binary (Debian keeps it in sbin,
// which may not be on PATH).
func findIP() (string, error) {
	return findTool("ip")
}

func findTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := dir + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("emulate: %s (iproute2) not found in PATH, /usr/sbin or /sbin", name)
}

// run runs a tool (ip, tc) and returns its error with the command line
// and stderr.
func run(ctx context.Context, tool string, args ...string) error {
	cmd := exec.CommandContext(ctx, tool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("emulate: %s %s: %w: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// deleteNS removes a named namespace; a missing one is not an error.
func deleteNS(ip, name string) error {
	if _, err := os.Stat(nsPath(name)); os.IsNotExist(err) {
		return nil
	}
	// A fresh context: deletion must happen even when the caller's
	// context is already cancelled (cleanup after Ctrl-C).
	return run(context.Background(), ip, "netns", "delete", name)
}
