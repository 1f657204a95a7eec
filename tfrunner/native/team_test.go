package native

import "testing"

// BenchmarkBarrier measures one parallel phase with trivial tasks.
func BenchmarkBarrier(b *testing.B) {
	t := newTeam(2)
	defer t.close()
	job := func(int) {
		for t.task(2) >= 0 {
		}
	}
	for range b.N {
		t.run(2, job)
	}
}
