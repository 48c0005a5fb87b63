package bench

// TLS record content types (RFC 8446 §5.1).
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23
)

// recordScanner follows the TLS record framing of one direction of a
// connection as bytes arrive in arbitrary pieces. It keeps a few bytes of
// state between calls and never buffers a record body.
type recordScanner struct {
	hdr     [5]byte
	hdrLen  int // bytes of the current header seen
	remain  int // body bytes of the current record still to come
	records [24]int
	bad     bool // framing is not TLS (a plaintext server, garbage)
}

// scan consumes the next bytes of the stream.
func (r *recordScanner) scan(p []byte) {
	for len(p) > 0 && !r.bad {
		if r.remain > 0 {
			n := min(r.remain, len(p))
			r.remain -= n
			p = p[n:]
			continue
		}
		n := copy(r.hdr[r.hdrLen:], p)
		r.hdrLen += n
		p = p[n:]
		if r.hdrLen < len(r.hdr) {
			return
		}
		typ := r.hdr[0]
		length := int(r.hdr[3])<<8 | int(r.hdr[4])
		if typ < recordChangeCipherSpec || typ > recordApplicationData || r.hdr[1] != 3 || length > 1<<14+2048 {
			r.bad = true
			return
		}
		r.records[typ]++
		r.hdrLen = 0
		r.remain = length
	}
}

// count returns how many records of a content type have started.
func (r *recordScanner) count(typ byte) int { return r.records[typ] }
