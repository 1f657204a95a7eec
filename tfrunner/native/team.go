package native

import (
	"sync"
	"sync/atomic"
)

// team is a fixed set of worker goroutines that run one job at a time. A
// job is a function of the worker index (0 is the calling goroutine); jobs
// pull numbered tasks from a shared counter, so any worker may run any task.
// Results never depend on which worker ran a task: tasks write disjoint
// memory and every reduction happens inside one task in a fixed order.
type team struct {
	size  int
	start []chan struct{} // one per helper goroutine (workers 1..size-1)
	done  chan struct{}
	job   func(worker int)
	next  atomic.Int64 // next task number of the current job
	once  sync.Once
}

// newTeam starts size-1 helper goroutines.
func newTeam(size int) *team {
	t := &team{size: size, done: make(chan struct{}, size)}
	for w := 1; w < size; w++ {
		c := make(chan struct{}, 1)
		t.start = append(t.start, c)
		go t.helper(w, c)
	}
	return t
}

func (t *team) helper(w int, start chan struct{}) {
	for range start {
		t.job(w)
		t.done <- struct{}{}
	}
}

// run executes job on every worker and returns when all have finished. With
// tasks > 0 only min(size, tasks) workers take part.
func (t *team) run(tasks int, job func(worker int)) {
	t.job = job
	t.next.Store(0)
	helpers := min(len(t.start), max(tasks-1, 0))
	for _, c := range t.start[:helpers] {
		c <- struct{}{}
	}
	job(0)
	for range helpers {
		<-t.done
	}
	t.job = nil // the team must not keep the program reachable
}

// task returns the next task number of the current job, or -1 when all n
// tasks are taken.
func (t *team) task(n int) int {
	i := int(t.next.Add(1) - 1)
	if i >= n {
		return -1
	}
	return i
}

// close stops the helpers. The team must not be used afterwards.
func (t *team) close() {
	t.once.Do(func() {
		for _, c := range t.start {
			close(c)
		}
	})
}
