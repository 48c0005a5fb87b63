package emulate

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrPrivilege is wrapped by the error Setup returns when the process
// may not create network namespaces.
var ErrPrivilege = errors.New("emulate: needs root or CAP_NET_ADMIN to create network namespaces")

// requiredCaps are the capabilities Setup needs: CAP_NET_ADMIN for
// devices, addresses and routes, CAP_SYS_ADMIN to create and enter
// namespaces (unshare, setns, the bind mount under /run/netns).
var requiredCaps = []struct {
	bit  uint
	name string
}{
	{unix.CAP_NET_ADMIN, "CAP_NET_ADMIN"},
	{unix.CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
}

// checkPrivileges returns an error wrapping ErrPrivilege unless the
// effective capability set has every required capability.
func checkPrivileges() error {
	eff, err := effectiveCaps()
	if err != nil {
		return fmt.Errorf("%w: reading capabilities: %w", ErrPrivilege, err)
	}
	return privilegeError(eff)
}

// privilegeError checks an effective capability mask (bit n = capability n).
func privilegeError(eff uint64) error {
	var missing []string
	for _, c := range requiredCaps {
		if eff&(1<<c.bit) == 0 {
			missing = append(missing, c.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: missing %s (run as root, e.g. with sudo)", ErrPrivilege, strings.Join(missing, " and "))
}

// effectiveCaps returns the calling thread's effective capabilities.
func effectiveCaps() (uint64, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, err
	}
	return uint64(data[0].Effective) | uint64(data[1].Effective)<<32, nil
}
