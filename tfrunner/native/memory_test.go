package native

import (
	"runtime"
	"testing"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// TestMemoryNeed compares MemoryNeed with what Compile allocates.
func TestMemoryNeed(t *testing.T) {
	for _, c := range []struct {
		m              *graphs.Model
		batch, threads int
	}{{graphs.A(5), 32, 2}, {graphs.A(5), 512, 4}, {graphs.B(5), 64, 2}, {graphs.Default(5), 10, 8}} {
		cfg := tfrunner.Config{MaxBatch: c.batch, Threads: c.threads}
		w := tfrunner.InitWeights(c.m, 1)
		need, err := New().MemoryNeed(c.m, cfg)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p, err := Compile(c.m, w, cfg)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		got := float64(after.TotalAlloc - before.TotalAlloc)
		p.Close()
		if r := need / got; r < 0.8 || r > 1.25 {
			t.Errorf("model %s, batch %d, %d threads: MemoryNeed %.0f bytes, Compile allocated %.0f (ratio %.2f)", c.m.Name, c.batch, c.threads, need, got, r)
		}
	}
}
