package testservers

import (
	"bytes"
	"strings"
	"sync"
)

// maxLog bounds how much server output is kept (the tail).
const maxLog = 64 << 10

// logBuffer collects a server's output: it keeps the last maxLog bytes and
// counts lines that contain given strings (or end with them: see
// matchLine), so long runs do not grow it.
// It is safe for concurrent use.
type logBuffer struct {
	mu      sync.Mutex
	tail    []byte
	partial []byte         // unterminated last line
	watch   []string       // line substrings to count
	counts  map[string]int // per substring
	changed chan struct{}  // closed and replaced on every count change
}

// newLogBuffer returns a buffer counting lines that contain any of watch.
func newLogBuffer(watch ...string) *logBuffer {
	return &logBuffer{watch: watch, counts: map[string]int{}, changed: make(chan struct{})}
}

// Write implements io.Writer.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tail = append(b.tail, p...)
	if len(b.tail) > 2*maxLog {
		b.tail = append(b.tail[:0:0], b.tail[len(b.tail)-maxLog:]...)
	}
	if len(b.watch) == 0 {
		return len(p), nil
	}
	b.partial = append(b.partial, p...)
	counted := false
	for {
		i := bytes.IndexByte(b.partial, '\n')
		if i < 0 {
			break
		}
		line := string(b.partial[:i])
		b.partial = b.partial[i+1:]
		for _, w := range b.watch {
			if matchLine(line, w) {
				b.counts[w]++
				counted = true
			}
		}
	}
	if len(b.partial) > maxLog { // a runaway line is not one we wait for
		b.partial = b.partial[:0]
	}
	b.partial = append([]byte(nil), b.partial...)
	if counted {
		close(b.changed)
		b.changed = make(chan struct{})
	}
	return len(p), nil
}

// String returns the kept tail of the output.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.tail
	if len(t) > maxLog {
		t = t[len(t)-maxLog:]
	}
	return string(t)
}

// Reset forgets all output and counts.
func (b *logBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tail, b.partial = nil, nil
	b.counts = map[string]int{}
}

// Counts returns the line counts so far and a channel closed at the next
// change.
func (b *logBuffer) Counts() (map[string]int, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := make(map[string]int, len(b.counts))
	for k, v := range b.counts {
		c[k] = v
	}
	return c, b.changed
}

// matchLine reports whether line holds w, or, when w ends in "$", ends
// with the rest of w.
func matchLine(line, w string) bool {
	if strings.HasSuffix(w, "$") {
		return strings.HasSuffix(strings.TrimRight(line, "\r"), w[:len(w)-1])
	}
	return strings.Contains(line, w)
}
