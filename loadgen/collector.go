package loadgen

import (
	"context"
	"time"
)

// collector gathers the workers' recorders once per interval (intervals are
// counted on the monotonic clock from the end of warmup), hands each merged
// interval to OnInterval and adds it to the run total. Only the collector
// goroutine touches the snapshots.
type collector struct {
	r     *runner
	cfg   Config
	total *Snapshot
	next  time.Duration // end of the interval being filled
}

func newCollector(r *runner, cfg Config) *collector {
	return &collector{r: r, cfg: cfg, total: newSnapshot(), next: cfg.Interval}
}

func (c *collector) loop(ctx context.Context) {
	// Drop what workers recorded during warmup? Nothing: warmup samples are
	// never recorded. Wait for the measurement to begin.
	timer := time.NewTimer(time.Until(c.r.measure.Add(c.next)))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		c.flush(c.next)
		c.next += c.cfg.Interval
		timer.Reset(time.Until(c.r.measure.Add(c.next)))
	}
}

// flush closes the interval ending at end.
func (c *collector) flush(end time.Duration) {
	iv := newSnapshot()
	iv.Start = max(0, end-c.cfg.Interval)
	if c.total.End > iv.Start {
		iv.Start = c.total.End
	}
	iv.End = end
	for _, rec := range c.r.recorders {
		rec.drainInto(iv)
	}
	if c.cfg.OnInterval != nil && (iv.Attempts() > 0 || iv.End > iv.Start) {
		c.cfg.OnInterval(iv)
	}
	c.total.Merge(iv)
	c.total.End = end
}

// finish flushes the last, partial interval and returns the run total.
func (c *collector) finish(elapsed time.Duration) *Snapshot {
	end := max(elapsed, c.total.End)
	c.flush(end)
	return c.total
}
