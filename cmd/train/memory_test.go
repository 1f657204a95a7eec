package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestMemoryBound asks for a batch and a thread count that no machine can
// hold: train refuses at once, saying how much memory they would need,
// instead of being killed or dying with "out of memory".
func TestMemoryBound(t *testing.T) {
	for _, args := range [][]string{
		{"-models", "A", "-batch", "1000000000000", "-out", t.TempDir()},
		{"-models", "A", "-threads", "1000000000000", "-out", t.TempDir()},
	} {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := run(context.Background(), args, &stdout, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "needs about") || !strings.Contains(stderr.String(), "available") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and how much memory it needs", args, code, stderr.String())
		}
		if s := time.Since(start); s > 5*time.Second {
			t.Errorf("%v: took %v to refuse", args, s)
		}
	}
}
