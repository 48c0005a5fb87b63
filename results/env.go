package results

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

// Version is hsbench's version, set at build time with
// -ldflags "-X github.com/hsbench/hsbench/results.Version=v1.2.3"; otherwise
// it comes from the module's build information.
var Version = ""

// HsbenchVersion returns Version, or the main module version and VCS revision.
func HsbenchVersion() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			rev = s.Value[:12]
		case s.Key == "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	return versionLine(bi.Main.Version, rev, dirty)
}

// versionLine joins the module version, the VCS revision and whether the
// tree was modified, naming each once: Go already puts the revision and
// "+dirty" into a pseudo-version (v0.0.0-20261130063000-8d69302abcde+dirty).
func versionLine(module, rev string, dirty bool) string {
	v := module
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if rev != "" && !strings.Contains(v, rev) {
		v += "+" + rev
	}
	if dirty && !strings.Contains(v, "dirty") {
		v += "-dirty"
	}
	return v
}

// CurrentEnvironment describes this machine and process.
func CurrentEnvironment() Environment {
	host, _ := os.Hostname()
	return Environment{
		HsbenchVersion: HsbenchVersion(),
		Go:             runtime.Version(),
		OS:             runtime.GOOS,
		Arch:           runtime.GOARCH,
		CPUModel:       cpuModel(),
		CPUs:           runtime.NumCPU(),
		GOMAXPROCS:     runtime.GOMAXPROCS(0),
		Hostname:       host,
		Network:        "loopback",
	}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// ProcessCPU returns the user and system CPU time this process has used
// (getrusage RUSAGE_SELF).
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
