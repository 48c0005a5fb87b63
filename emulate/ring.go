package emulate

// ring is a growable FIFO of packets that reuses its storage.
type ring struct {
	buf        []packet
	head, size int
}

func (r *ring) len() int { return r.size }

func (r *ring) push(p packet) {
	if r.size == len(r.buf) {
		n := max(16, 2*len(r.buf))
		nb := make([]packet, n)
		for i := range r.size {
			nb[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = nb, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = p
	r.size++
}

// peek returns the oldest packet; the ring must not be empty.
func (r *ring) peek() *packet { return &r.buf[r.head] }

// pop removes the oldest packet; the ring must not be empty.
func (r *ring) pop() packet {
	p := r.buf[r.head]
	r.buf[r.head] = packet{}
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return p
}
