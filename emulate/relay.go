package emulate

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// pooledSize is the size of a packet buffer. It covers the MTU the relay
// gives its TUN devices (tunMTU), so every read gets a whole packet.
const pooledSize = 2048

var bufPool = sync.Pool{New: func() any { b := make([]byte, pooledSize); return &b }}

// DirStats counts what one direction of the relay did.
type DirStats struct {
	Packets  uint64 // packets delivered
	Bytes    uint64 // bytes delivered
	Lost     uint64 // packets dropped by the emulated loss
	Overflow uint64 // packets dropped because the queue was full
	Errors   uint64 // packets that could not be written or were not IPv4
}

// Stats counts relay activity. It stays zero for the netem backend.
type Stats struct {
	ClientToServer DirStats
	ServerToClient DirStats
}

// dirCounters is the atomic form of DirStats.
type dirCounters struct {
	packets, bytes, lost, overflow, errors atomic.Uint64
}

func (c *dirCounters) snapshot() DirStats {
	return DirStats{
		Packets: c.packets.Load(), Bytes: c.bytes.Load(), Lost: c.lost.Load(),
		Overflow: c.overflow.Load(), Errors: c.errors.Load(),
	}
}

// direction moves packets from one TUN device to the other through a
// shaper: a reader goroutine enqueues, a sender goroutine waits on a
// single timer for the head of the queue and writes it out.
type direction struct {
	in, out *os.File
	clock   func() time.Duration
	done    <-chan struct{}

	mu     sync.Mutex
	sh     *shaper
	notify chan struct{} // wakes the sender when the queue turns non-empty
	stats  dirCounters
}

func newDirection(in, out *os.File, sh *shaper, clock func() time.Duration, done <-chan struct{}) *direction {
	return &direction{in: in, out: out, sh: sh, clock: clock, done: done, notify: make(chan struct{}, 1)}
}

// readLoop reads packets until the input device is closed.
func (d *direction) readLoop() {
	for {
		bp := bufPool.Get().(*[]byte)
		n, err := d.in.Read((*bp)[:cap(*bp)])
		if err != nil {
			bufPool.Put(bp)
			if errors.Is(err, os.ErrClosed) || d.closed() {
				return
			}
			// Errors on an open device are unexpected; count them and
			// go on, pausing so a persistent error cannot spin.
			d.stats.errors.Add(1)
			select {
			case <-d.done:
				return
			case <-time.After(time.Millisecond):
			}
			continue
		}
		if n == 0 || (*bp)[0]>>4 != 4 {
			// Only IPv4 is routed through the link; IPv6 chatter
			// (router solicitations and the like) is dropped.
			bufPool.Put(bp)
			d.stats.errors.Add(1)
			continue
		}
		d.mu.Lock()
		wasEmpty := d.sh.q.len() == 0
		v := d.sh.offer(d.clock(), packet{buf: bp, n: n})
		d.mu.Unlock()
		switch v {
		case queued:
			if wasEmpty {
				select {
				case d.notify <- struct{}{}:
				default:
				}
			}
		case lost:
			d.stats.lost.Add(1)
			bufPool.Put(bp)
		case overflow:
			d.stats.overflow.Add(1)
			bufPool.Put(bp)
		}
	}
}

func (d *direction) closed() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// sendLoop delivers due packets until done is closed.
func (d *direction) sendLoop() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var batch []packet
	for {
		d.mu.Lock()
		now := d.clock()
		for {
			p, ok := d.sh.pop(now)
			if !ok {
				break
			}
			batch = append(batch, p)
		}
		next, pending := d.sh.next()
		d.mu.Unlock()

		for i, p := range batch {
			if _, err := d.out.Write((*p.buf)[:p.n]); err != nil {
				d.stats.errors.Add(1)
			} else {
				d.stats.packets.Add(1)
				d.stats.bytes.Add(uint64(p.n))
			}
			bufPool.Put(p.buf)
			batch[i] = packet{}
		}
		batch = batch[:0]

		if !pending {
			select {
			case <-d.notify:
			case <-d.done:
				return
			}
			continue
		}
		if wait := next - d.clock(); wait > fineWindow {
			timer.Reset(wait - fineWindow)
			select {
			case <-timer.C:
			case <-d.done:
				return
			}
		}
		sleepPrecise(next - d.clock())
	}
}

// fineWindow is how much of a wait the sender spends in nanosleep rather
// than on a Go timer. Go timers wake through epoll_wait, whose timeout has
// millisecond resolution, so they fire up to about 1 ms late; nanosleep
// on the sender's own thread is accurate to tens of microseconds.
const fineWindow = 2 * time.Millisecond

// sleepPrecise blocks the calling thread for d (at most fineWindow).
func sleepPrecise(d time.Duration) {
	d = min(d, fineWindow)
	if d <= 0 {
		return
	}
	ts := unix.NsecToTimespec(int64(d))
	for range 10 { // EINTR (signals) resumes with the remaining time
		if err := unix.Nanosleep(&ts, &ts); err != unix.EINTR {
			return
		}
	}
}

// relay runs both directions between the client and server TUN devices.
type relay struct {
	devs []*os.File
	dirs [2]*direction // 0: client to server, 1: server to client
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// startRelay starts moving packets between the two TUN devices. It takes
// ownership of both files.
func startRelay(client, server *os.File, spec Spec, seed uint64, limit int) *relay {
	base := time.Now()
	clock := func() time.Duration { return time.Since(base) } // monotonic
	r := &relay{devs: []*os.File{client, server}, done: make(chan struct{})}
	r.dirs[0] = newDirection(client, server, newShaper(spec, seed, 0, limit), clock, r.done)
	r.dirs[1] = newDirection(server, client, newShaper(spec, seed, 1, limit), clock, r.done)
	for _, d := range r.dirs {
		r.wg.Add(2)
		go func() { defer r.wg.Done(); d.readLoop() }()
		go func() { defer r.wg.Done(); d.sendLoop() }()
	}
	return r
}

// stop ends the relay: it closes the devices (which unblocks the
// readers) and waits for all goroutines. Queued packets are discarded.
// It is idempotent.
func (r *relay) stop() error {
	var errs []error
	r.once.Do(func() {
		close(r.done)
		for _, f := range r.devs {
			if err := f.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		r.wg.Wait()
	})
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

func (r *relay) stats() Stats {
	return Stats{ClientToServer: r.dirs[0].stats.snapshot(), ServerToClient: r.dirs[1].stats.snapshot()}
}
