package zerortt

import (
	"context"
	"testing"
	"time"
)

func timeNowForTest() time.Time { return time.Now() }

func testCtxShort(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	t.Cleanup(cancel)
	return ctx
}
