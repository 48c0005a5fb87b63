package bench

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// rawIOConn is a TCP connection whose reads and writes are the same
// non-blocking read(2) and write(2) the net package issues, waiting on the
// same runtime poller, but made as raw system calls: they skip the
// runtime's entersyscall/exitsyscall, which wake the runtime's monitor
// thread (sysmon) out of its deep sleep each time the process had been idle.
// A handshake client idles on every round trip, so with net's own calls
// every read and write after a wait cost a futex wake-up and a burst of
// sysmon's 20 µs sleeps: measurable context switches per handshake that
// were the generator's overhead, not the handshake's.
//
// The calls never block (the socket is non-blocking), so holding the P
// during them is harmless. Errors are wrapped as net's are (*net.OpError
// around an *os.SyscallError), so classification is unchanged; deadlines
// and Close come from the net.Conn underneath. Read and Write are safe for
// concurrent use, like net's.
type rawIOConn struct {
	net.Conn
	rc       syscall.RawConn
	network  string
	datagram bool // UDP: a zero-length read is an empty datagram, not EOF
	// The closures passed to rc.Read and rc.Write are made once per
	// connection; their arguments and results live here, guarded by rmu
	// and wmu.
	rmu, wmu        sync.Mutex
	rbuf, wbuf      []byte
	rn, wn          int
	rerrno, werrno  syscall.Errno
	readFn, writeFn func(fd uintptr) bool
}

// rawIO returns c with raw-syscall reads and writes when c is a socket of
// this process (a *net.TCPConn, or a connected *net.UDPConn), else c itself
// (emulated links' conns).
func rawIO(c net.Conn) net.Conn {
	var (
		rc       syscall.RawConn
		err      error
		datagram bool
	)
	switch sc := c.(type) {
	case *net.TCPConn:
		rc, err = sc.SyscallConn()
	case *net.UDPConn:
		rc, err = sc.SyscallConn()
		datagram = true
	default:
		return c
	}
	if err != nil {
		return c
	}
	r := &rawIOConn{Conn: c, rc: rc, network: c.LocalAddr().Network(), datagram: datagram}
	r.readFn = r.read
	r.writeFn = r.write
	return r
}

func (c *rawIOConn) read(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait for the poller
		case 0:
			c.rn = int(n)
		}
		c.rerrno = e
		return true
	}
}

func (c *rawIOConn) write(fd uintptr) bool {
	for c.wn < len(c.wbuf) {
		p := c.wbuf[c.wn:]
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		case 0:
			c.wn += int(n)
			continue
		}
		c.werrno = e
		return true
	}
	return true
}

func (c *rawIOConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	c.rbuf, c.rn, c.rerrno = p, 0, 0
	err := c.rc.Read(c.readFn)
	c.rbuf = nil
	switch {
	case err != nil:
		return 0, c.opError("read", err)
	case c.rerrno != 0:
		return 0, c.opError("read", os.NewSyscallError("read", c.rerrno))
	case c.rn == 0 && !c.datagram:
		return 0, io.EOF
	}
	return c.rn, nil
}

func (c *rawIOConn) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf, c.wn, c.werrno = p, 0, 0
	err := c.rc.Write(c.writeFn)
	c.wbuf = nil
	switch {
	case err != nil:
		return c.wn, c.opError("write", err)
	case c.werrno != 0:
		return c.wn, c.opError("write", os.NewSyscallError("write", c.werrno))
	}
	return c.wn, nil
}

// opError wraps err as net.Conn's methods do (the RawConn's own
// "raw-read" wrapping replaced).
func (c *rawIOConn) opError(op string, err error) error {
	if raw, ok := err.(*net.OpError); ok {
		err = raw.Err
	}
	return &net.OpError{Op: op, Net: c.network, Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
