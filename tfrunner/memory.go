package tfrunner

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"fmnist/dataset"
	"fmnist/graphs"
)

// MemoryEstimator is implemented by engines that can say, before Build, how
// many bytes the program of m with cfg would allocate.
type MemoryEstimator interface {
	MemoryNeed(m *graphs.Model, cfg Config) (float64, error)
}

// memoryHeadroom is the share of the available memory a run may plan to
// use: the rest is left for the garbage collector's slack, the predictions
// and the system.
const memoryHeadroom = 0.9

// CheckMemory refuses, before anything is allocated, a batch size and
// thread count whose buffers do not fit in the memory available: the fit
// loop's batch buffers plus, when the engine implements MemoryEstimator,
// its own. The available memory is MemAvailable of /proc/meminfo, lowered
// to the cgroup's limit when one is set; where neither can be read the
// check is skipped. The error says how much the choice needs.
func CheckMemory(eng Engine, m *graphs.Model, opts Options) error {
	batch := opts.Batch
	if batch == 0 {
		batch = m.Batch
	}
	cfg := Config{Adam: opts.Adam, MaxBatch: batch, Threads: opts.Threads}
	return checkMemory(eng, m, cfg)
}

func checkMemory(eng Engine, m *graphs.Model, cfg Config) error {
	need := float64(cfg.MaxBatch) * float64(dataset.Pixels*4+8) // Fit's x and y
	if e, ok := eng.(MemoryEstimator); ok {
		n, err := e.MemoryNeed(m, cfg)
		if err != nil {
			return err
		}
		need += n
	}
	avail, source := AvailableMemory()
	if avail <= 0 || need <= memoryHeadroom*float64(avail) {
		return nil
	}
	threads := strconv.Itoa(cfg.Threads)
	if cfg.Threads == 0 {
		threads = strconv.Itoa(runtime.GOMAXPROCS(0)) + " (all cores)"
	}
	return fmt.Errorf("batch %d with %s threads needs about %s of memory on engine %s, but only %s is available (%s): "+
		"use a smaller -batch or fewer -threads", cfg.MaxBatch, threads, formatBytes(need), eng.Name(), formatBytes(float64(avail)), source)
}

// AvailableMemory returns the bytes of memory available to new allocations
// and where the figure comes from, or 0 when it cannot be read (on systems
// without /proc/meminfo).
func AvailableMemory() (n int64, source string) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, ""
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			if f := strings.Fields(v); len(f) > 0 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					n, source = kb<<10, "MemAvailable in /proc/meminfo"
				}
			}
		}
	}
	if limit, ok := cgroupLeft(); ok && (n == 0 || limit < n) {
		n, source = limit, "the cgroup's memory.max less memory.current"
	}
	return n, source
}

// cgroupLeft returns memory.max - memory.current of this process's cgroup
// (v2) when a limit is set.
func cgroupLeft() (int64, bool) {
	read := func(name string) (int64, bool) {
		b, err := os.ReadFile("/sys/fs/cgroup/" + name)
		if err != nil {
			return 0, false
		}
		v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
		return v, err == nil
	}
	max, ok := read("memory.max") // "max" when unlimited: not a number
	if !ok {
		return 0, false
	}
	cur, _ := read("memory.current")
	return max - cur, true
}

// formatBytes formats n bytes in binary units.
func formatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == len(units)-1 && n >= 1024 {
		return fmt.Sprintf("%.3g %s", n, units[i])
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}
