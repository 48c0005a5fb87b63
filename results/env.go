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
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
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
