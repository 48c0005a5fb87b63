package emulate

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// tunName is the name of the TUN device in each namespace (names are
// per namespace, so both sides use the same one).
const tunName = "hsb0"

// tunMTU is the MTU given to the devices; it fits a pooled buffer.
const tunMTU = 1500

// openTUN creates a TUN device (IFF_TUN|IFF_NO_PI: raw IP packets) in the
// namespace of t. The device exists while the returned file is open.
// The file is non-blocking and registered with the Go poller, so Close
// unblocks a pending Read.
func openTUN(t *nsThread, name string) (*os.File, error) {
	var (
		f   *os.File
		err error
	)
	if derr := t.do(func() { f, err = openTUNHere(name) }); derr != nil {
		return nil, derr
	}
	return f, err
}

// openTUNHere creates the device in the calling thread's namespace.
func openTUNHere(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("emulate: opening /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("emulate: tun name %q: %w", name, err)
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("emulate: creating tun device %q: %w", name, err)
	}
	return os.NewFile(uintptr(fd), "/dev/net/tun:"+name), nil
}
