package bench

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/quic-go/quic-go/quicvarint"
	"golang.org/x/net/http2/hpack"
)

func TestParseStatusSet(t *testing.T) {
	s, err := ParseStatusSet(DefaultExpectStatus)
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[int]bool{200: true, 204: true, 301: true, 399: true, 400: false, 404: false, 101: false, 500: false} {
		if s.Has(code) != want {
			t.Errorf("2xx,3xx has %d = %v", code, !want)
		}
	}
	s, _ = ParseStatusSet("404, 5xx")
	if !s.Has(404) || s.Has(403) || !s.Has(503) || s.Has(200) {
		t.Errorf("404,5xx wrong: %+v", s)
	}
	for _, bad := range []string{"", "2x", "6xx", "99", "600", "abc", "2xx,"} {
		if _, err := ParseStatusSet(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseHeader(t *testing.T) {
	h, err := ParseHeader("X-Test:  a: b ")
	if err != nil || h != (Header{"X-Test", "a: b"}) {
		t.Fatalf("got %+v, %v", h, err)
	}
	for _, bad := range []string{"novalue", ": v", "Bad Name: v", "Host: x", "connection: close", "X: a\r\nY: b"} {
		if _, err := ParseHeader(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHTTP1Request(t *testing.T) {
	r := &HTTPRequest{Host: Authority("example.test", "127.0.0.1:8443"), Path: "/x?y=1", Headers: []Header{{"Cookie", "a=b"}}}
	want := "GET /x?y=1 HTTP/1.1\r\nHost: example.test:8443\r\nCookie: a=b\r\nConnection: close\r\n\r\n"
	if got := string(r.HTTP1()); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := Authority("", "10.0.0.1:443"); got != "10.0.0.1" {
		t.Errorf("authority %q", got)
	}
}

func TestReadStatusLine(t *testing.T) {
	for in, want := range map[string]int{
		"HTTP/1.1 200 OK\r\n": 200, "HTTP/1.0 400 Bad Request\r\nX: y\r\n": 400, "HTTP/1.1 301 \r\n": 301, "HTTP/1.1 204": 204,
	} {
		code, err := readStatusLine(in[0], strings.NewReader(in[1:]))
		if err != nil || code != want {
			t.Errorf("%q: got %d, %v", in, code, err)
		}
	}
	for _, in := range []string{"SSH-2.0-x\r\n", "HTTP/1.1 2x0 OK\r\n", "HTTP/1.1 999 \r\n", "HTTP/1.1", "H"} {
		if _, err := readStatusLine(in[0], strings.NewReader(in[1:])); !errors.Is(err, errMalformedHTTP) {
			t.Errorf("%q: got %v, want malformed", in, err)
		}
	}
}

// h3Headers frames a QPACK field section (prefix 0,0 added).
func h3Headers(fields ...byte) []byte {
	f := append([]byte{0, 0}, fields...)
	b := quicvarint.Append(nil, 0x01)
	b = quicvarint.Append(b, uint64(len(f)))
	return append(b, f...)
}

func TestHTTP3Status(t *testing.T) {
	huff := hpack.AppendHuffmanString(nil, "418")
	lit := append([]byte{0x50 | 0x0f, 24 - 15, 0x80 | byte(len(huff))}, huff...) // static name :status (24), Huffman value
	for name, c := range map[string]struct {
		in   []byte
		want int
	}{
		"indexed 200":      {h3Headers(0xc0 | 25), 200},
		"indexed 400 (67)": {h3Headers(0xff, 67-63), 400},
		"literal plain":    {h3Headers(0x50|0x0f, 28-15, 3, '4', '2', '9'), 429},
		"literal huffman":  {h3Headers(lit...), 418},
	} {
		code, err := http3Status(bytes.NewReader(c.in))
		if err != nil || code != c.want {
			t.Errorf("%s: got %d, %v", name, code, err)
		}
	}
	for name, in := range map[string][]byte{
		"data frame":       append([]byte{0x00, 3}, "abc"...),
		"not status":       h3Headers(0xc0 | 1),
		"bad literal":      h3Headers(0x50|0x0f, 24-15, 5, '4'),
		"truncated varint": {0x01, 0x40},
	} {
		if _, err := http3Status(bytes.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The HTTP/3 request starts as the fixed-table version did and carries
// the path, authority and headers as literals.
func TestHTTP3Request(t *testing.T) {
	r := &HTTPRequest{Host: "h:8443"}
	if want := http3Request("h", "127.0.0.1:8443"); !bytes.Equal(r.HTTP3(), want) {
		t.Errorf("path / differs from http3Request:\n%x\n%x", r.HTTP3(), want)
	}
	r = &HTTPRequest{Host: "h", Path: "/p", Headers: []Header{{"X-A", "b"}}}
	got := r.HTTP3()
	if !bytes.Contains(got, []byte{0x51, 2, '/', 'p'}) || !bytes.Contains(got, []byte{0x23, 'x', '-', 'a', 1, 'b'}) {
		t.Errorf("fields missing in %x", got)
	}
}
