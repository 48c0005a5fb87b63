package loadgen

import (
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// lateThreshold is the start lateness above which an open-loop hit counts
// as late.
const lateThreshold = time.Millisecond

// lateCount returns how many recorded values of h exceed d.
func lateCount(h *hdr.Histogram, d time.Duration) int64 {
	var n int64
	for _, b := range h.Distribution() {
		if b.From > int64(d) {
			n += b.Count
		}
	}
	return n
}

// latenessWarning summarises the measured hits that started late, from the
// lateness histogram, and says how many of them waited for a free worker
// (busyLate). It advises more workers only when some did; late hits that
// found a free worker mean the generator itself (CPU, scheduling, priming
// between hits) fell behind. "" when no hit was late.
func latenessWarning(h *hdr.Histogram, busyLate int64, workers int) string {
	if h == nil || h.TotalCount() == 0 {
		return ""
	}
	late := lateCount(h, lateThreshold)
	if late == 0 && busyLate == 0 {
		return ""
	}
	msg := fmt.Sprintf("%d of %d measured hits started more than %v late (lateness p50 %v, p99 %v, max %v; "+
		"latency is still measured from the intended start: see 'latency' vs 'total')",
		late, h.TotalCount(), lateThreshold,
		round(h.ValueAtQuantile(50)), round(h.ValueAtQuantile(99)), round(h.Max()))
	if busyLate > 0 {
		return msg + fmt.Sprintf("; %d found all %d workers busy: raise --concurrency or lower --rate", busyLate, workers)
	}
	return msg + "; none for want of a free worker: the generator itself fell behind (client CPU, scheduling)"
}

func round(ns int64) time.Duration { return time.Duration(ns).Round(time.Microsecond) }
