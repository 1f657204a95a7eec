package cluster

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// workers returns the number of goroutines to use when w is the requested
// number (0 means GOMAXPROCS).
func workers(w int) int {
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(w, 1)
}

// parallelChunks calls f(lo, hi) for consecutive chunks [lo, hi) of [0, n)
// of size chunk, using up to w goroutines. The chunk boundaries depend only
// on n and chunk, so per-chunk results are independent of scheduling.
func parallelChunks(n, chunk, w int, f func(c, lo, hi int)) {
	if chunk <= 0 {
		chunk = 1
	}
	nc := (n + chunk - 1) / chunk
	w = min(workers(w), nc)
	if w <= 1 {
		for c := 0; c < nc; c++ {
			f(c, c*chunk, min(n, (c+1)*chunk))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < w; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= nc {
					return
				}
				f(c, c*chunk, min(n, (c+1)*chunk))
			}
		}()
	}
	wg.Wait()
}
