package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/quic-go/quic-go/quicvarint"
	"golang.org/x/net/http2/hpack"
)

// HTTPRequest is the request hsbench sends once the handshake is done (or
// as early data): GET Path with Host, the extra Headers and, over TCP,
// "Connection: close" unless KeepAlive. Its response's status must be in Expect.
type HTTPRequest struct {
	Host    string // Host header / :authority, with the port unless 443
	Path    string // default "/"
	Headers []Header
	Expect  StatusSet
	// KeepAlive leaves out "Connection: close" (see KeepAliveRequest).
	KeepAlive bool
}

// Header is one extra request header.
type Header struct{ Name, Value string }

// ParseHeader parses "Name: value" (the --header flag).
func ParseHeader(s string) (Header, error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return Header{}, fmt.Errorf("bench: header %q: want \"Name: value\"", s)
	}
	switch strings.ToLower(name) {
	case "host", "connection", "content-length", "transfer-encoding":
		return Header{}, fmt.Errorf("bench: header %q: %s is set by hsbench", s, name)
	}
	return Header{Name: name, Value: value}, nil
}

// Authority returns the Host value for a target address and an optional
// server name: the name (or the address's host) with the port unless 443.
func Authority(serverName, address string) string {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return address
	}
	if serverName != "" {
		host = serverName
	}
	if port == "443" {
		return host
	}
	return net.JoinHostPort(host, port)
}

func (r *HTTPRequest) path() string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

// HTTP1 returns the HTTP/1.1 request bytes.
func (r *HTTPRequest) HTTP1() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\n", r.path(), r.Host)
	for _, h := range r.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	if !r.KeepAlive {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// HTTP3 returns an HTTP/3 HEADERS frame (RFC 9114) for the request, its
// field section QPACK-encoded (RFC 9204) without the dynamic table:
// :method, :scheme and, for "/", :path from the static table; other
// values as literals with static name references; extra headers as
// literals with literal names (lower-cased, as HTTP/3 requires).
func (r *HTTPRequest) HTTP3() []byte {
	fields := []byte{
		0x00, 0x00, // Required Insert Count 0, Delta Base 0
		0xc0 | 17, // indexed, static: :method GET
		0xc0 | 23, // indexed, static: :scheme https
	}
	if p := r.path(); p == "/" {
		fields = append(fields, 0xc0|1) // indexed, static: :path /
	} else {
		fields = append(fields, 0x50|1) // literal, static name :path
		fields = qpackInt(fields, 0x00, 7, uint64(len(p)))
		fields = append(fields, p...)
	}
	fields = append(fields, 0x50|0) // literal, static name :authority
	fields = qpackInt(fields, 0x00, 7, uint64(len(r.Host)))
	fields = append(fields, r.Host...)
	for _, h := range r.Headers {
		name := strings.ToLower(h.Name)
		fields = qpackInt(fields, 0x20, 3, uint64(len(name))) // literal with literal name
		fields = append(fields, name...)
		fields = qpackInt(fields, 0x00, 7, uint64(len(h.Value)))
		fields = append(fields, h.Value...)
	}
	frame := quicvarint.Append(nil, 0x01) // HEADERS
	frame = quicvarint.Append(frame, uint64(len(fields)))
	return append(frame, fields...)
}

// StatusSet is a set of HTTP status codes (--expect-status).
type StatusSet struct {
	classes [6]bool // 1xx … 5xx by first digit
	codes   map[int]bool
}

// DefaultExpectStatus is --expect-status's default.
const DefaultExpectStatus = "2xx,3xx"

// ParseStatusSet parses a list like "2xx,3xx,404".
func ParseStatusSet(s string) (StatusSet, error) {
	var set StatusSet
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if len(f) == 3 && f[1:] == "xx" && f[0] >= '1' && f[0] <= '5' {
			set.classes[f[0]-'0'] = true
			continue
		}
		code, err := strconv.Atoi(f)
		if err != nil || code < 100 || code > 599 {
			return StatusSet{}, fmt.Errorf("bench: status %q: want a code (100-599) or a class like 2xx", f)
		}
		if set.codes == nil {
			set.codes = map[int]bool{}
		}
		set.codes[code] = true
	}
	return set, nil
}

// Has reports whether code is in the set.
func (s StatusSet) Has(code int) bool {
	return s.codes[code] || code >= 100 && code <= 599 && s.classes[code/100]
}

// IsZero reports whether the set is empty (nothing checked).
func (s StatusSet) IsZero() bool { return s.classes == [6]bool{} && len(s.codes) == 0 }

// StatusError is a response whose status is not in --expect-status; its
// class is "http_status:<code>".
type StatusError struct{ Code int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("bench: HTTP status %d not expected", e.Code)
}

// ErrNoResponse marks a handshake that completed, a request that was
// written, and a response that never came (the server closed or the
// attempt timed out): class "no_response".
var ErrNoResponse = errors.New("bench: handshake completed, no response")

// errMalformedHTTP is a response that is not HTTP (class protocol).
var errMalformedHTTP = errors.New("bench: malformed HTTP response")

// maxStatusLine bounds the status line read off the clock.
const maxStatusLine = 4096

// readStatusLine reads an HTTP/1.x status line whose first byte was
// already read and returns the code.
func readStatusLine(first byte, r io.Reader) (int, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxStatusLine), 64)
	rest, err := br.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(rest) >= 11) {
		return 0, fmt.Errorf("%w: reading the status line: %w", errMalformedHTTP, err)
	}
	line := string(first) + rest
	// HTTP/1.1 200 OK
	if !strings.HasPrefix(line, "HTTP/1.") || len(line) < 12 || line[8] != ' ' {
		return 0, fmt.Errorf("%w: status line %.40q", errMalformedHTTP, line)
	}
	code, err := strconv.Atoi(line[9:12])
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("%w: status line %.40q", errMalformedHTTP, line)
	}
	return code, nil
}

// http3Status decodes :status from the start of an HTTP/3 response stream
// (a HEADERS frame; QPACK without dynamic table, as servers answer a
// client that announced none). The static table entries for :status are
// 24-28 and 63-71; a literal value may be Huffman-coded.
func http3Status(r io.Reader) (int, error) {
	br := quicvarint.NewReader(bufio.NewReader(io.LimitReader(r, 1<<16)))
	typ, err := quicvarint.Read(br)
	if err != nil {
		return 0, err
	}
	n, err := quicvarint.Read(br)
	if err != nil || typ != 0x01 || n < 3 || n > 1<<14 {
		return 0, fmt.Errorf("%w: first HTTP/3 frame type %#x, length %d", errMalformedHTTP, typ, n)
	}
	f := make([]byte, n)
	if _, err := io.ReadFull(br, f); err != nil {
		return 0, err
	}
	f = f[2:] // Required Insert Count and Delta Base: 0 without dynamic table
	switch {
	case f[0]&0xc0 == 0xc0: // indexed field line, static
		idx, _, ok := qpackReadInt(f, 6)
		if code, ok2 := qpackStaticStatus[idx]; ok && ok2 {
			return code, nil
		}
	case f[0]&0xf0 == 0x50: // literal with static name reference
		idx, rest, ok := qpackReadInt(f, 4)
		if _, isStatus := qpackStaticStatus[idx]; ok && isStatus && len(rest) > 0 {
			huff := rest[0]&0x80 != 0
			l, rest, ok := qpackReadInt(rest, 7)
			if ok && uint64(len(rest)) >= l {
				v := string(rest[:l])
				if huff {
					if v, err = hpack.HuffmanDecodeToString(rest[:l]); err != nil {
						break
					}
				}
				if code, err := strconv.Atoi(v); err == nil && code >= 100 && code <= 599 {
					return code, nil
				}
			}
		}
	}
	return 0, fmt.Errorf("%w: HTTP/3 response does not start with :status", errMalformedHTTP)
}

// qpackStaticStatus maps QPACK static table indexes to :status values.
var qpackStaticStatus = map[uint64]int{
	24: 103, 25: 200, 26: 304, 27: 404, 28: 503,
	63: 100, 64: 204, 65: 206, 66: 302, 67: 400, 68: 403, 69: 421, 70: 425, 71: 500,
}

// qpackReadInt reads an integer with an n-bit prefix (RFC 7541 §5.1).
func qpackReadInt(b []byte, n uint) (uint64, []byte, bool) {
	if len(b) == 0 {
		return 0, nil, false
	}
	max := uint64(1)<<n - 1
	v := uint64(b[0]) & max
	b = b[1:]
	if v < max {
		return v, b, true
	}
	for shift := uint(0); len(b) > 0 && shift < 56; shift += 7 {
		c := b[0]
		b = b[1:]
		v += uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, b, true
		}
	}
	return 0, nil, false
}
