package emulate

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestPrivilegeError(t *testing.T) {
	const netAdmin, sysAdmin = uint64(1) << unix.CAP_NET_ADMIN, uint64(1) << unix.CAP_SYS_ADMIN
	tests := []struct {
		eff     uint64
		missing []string
	}{
		{0, []string{"CAP_NET_ADMIN", "CAP_SYS_ADMIN"}},
		{netAdmin, []string{"CAP_SYS_ADMIN"}},
		{sysAdmin, []string{"CAP_NET_ADMIN"}},
		{netAdmin | sysAdmin, nil},
		{^uint64(0), nil},
	}
	for _, tc := range tests {
		err := privilegeError(tc.eff)
		if tc.missing == nil {
			if err != nil {
				t.Errorf("caps %#x: unexpected error %v", tc.eff, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("caps %#x: no error, want one naming %v", tc.eff, tc.missing)
			continue
		}
		if !errors.Is(err, ErrPrivilege) {
			t.Errorf("caps %#x: error %v does not wrap ErrPrivilege", tc.eff, err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "emulate: needs root or CAP_NET_ADMIN to create network namespaces: ") {
			t.Errorf("caps %#x: message %q lacks the standard prefix", tc.eff, msg)
		}
		for _, m := range tc.missing {
			if !strings.Contains(msg, m) {
				t.Errorf("caps %#x: message %q does not name %s", tc.eff, msg, m)
			}
		}
	}
}

func TestEffectiveCapsMatchesEUID(t *testing.T) {
	eff, err := effectiveCaps()
	if err != nil {
		t.Fatal(err)
	}
	if unix.Geteuid() == 0 && privilegeError(eff) != nil {
		// Root in a restricted container may lack caps; then Setup
		// must refuse, which checkPrivileges reports consistently.
		if checkPrivileges() == nil {
			t.Error("checkPrivileges accepted a capability set privilegeError rejects")
		}
	}
	if (privilegeError(eff) == nil) != (checkPrivileges() == nil) {
		t.Error("checkPrivileges and privilegeError disagree")
	}
}
