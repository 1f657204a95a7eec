package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// KMeansOptions configures KMeans. Zero fields take the defaults noted.
type KMeansOptions struct {
	K       int     // number of clusters; default 5
	NInit   int     // restarts, the lowest inertia is kept; default 10
	MaxIter int     // Lloyd iterations per restart; default 300
	Tol     float64 // convergence when the summed squared centre shift ≤ Tol × mean column variance; default 1e-4
	Seed    uint64  // seed of the k-means++ initialisation
	Workers int     // goroutines running restarts; default GOMAXPROCS
}

// KMeansResult holds a k-means clustering.
type KMeansResult struct {
	Labels    []int      // cluster of each row, in [0, K)
	Centroids *mat.Dense // K×d cluster centres
	Inertia   float64    // sum of squared distances of rows to their centre
	Iter      int        // Lloyd iterations run by the kept restart
	Run       int        // index of the kept restart
}

func (o *KMeansOptions) defaults() {
	if o.K == 0 {
		o.K = 5
	}
	if o.NInit == 0 {
		o.NInit = 10
	}
	if o.MaxIter == 0 {
		o.MaxIter = 300
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
}

// KMeans clusters the rows of x as scikit-learn's KMeans: greedy k-means++
// seeding (2+⌊ln K⌋ candidates per centre), then Lloyd iterations until the
// assignment no longer changes, the centre shift falls below the tolerance,
// or MaxIter is reached; the restart of lowest inertia is returned.
// Lloyd iterations are accelerated with Hamerly's bounds, which skip
// distance computations without changing the result. Restarts run in
// parallel; restart r is seeded by (Seed, r), so results do not depend on
// scheduling.
func KMeans(x *mat.Dense, opt KMeansOptions) (*KMeansResult, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return nil, fmt.Errorf("kmeans: %w", err)
	}
	opt.defaults()
	switch {
	case opt.K < 1 || opt.K > n:
		return nil, fmt.Errorf("kmeans: K=%d out of range [1, %d]", opt.K, n)
	case opt.NInit < 1:
		return nil, fmt.Errorf("kmeans: NInit=%d must be positive", opt.NInit)
	case opt.MaxIter < 1:
		return nil, fmt.Errorf("kmeans: MaxIter=%d must be positive", opt.MaxIter)
	case opt.Tol < 0 || math.IsNaN(opt.Tol):
		return nil, fmt.Errorf("kmeans: Tol=%v must be non-negative", opt.Tol)
	}
	// Absolute tolerance: mean of the column variances times Tol.
	var meanVar float64
	for j := 0; j < d; j++ {
		var s, s2 float64
		for i := 0; i < n; i++ {
			s += data[i*d+j]
		}
		m := s / float64(n)
		for i := 0; i < n; i++ {
			e := data[i*d+j] - m
			s2 += e * e
		}
		meanVar += s2 / float64(n)
	}
	tol := meanVar / float64(d) * opt.Tol

	runs := make([]*kmRun, opt.NInit)
	w := min(workers(opt.Workers), opt.NInit)
	var wg sync.WaitGroup
	next := make(chan int, opt.NInit)
	for r := 0; r < opt.NInit; r++ {
		next <- r
	}
	close(next)
	for g := 0; g < w; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				rng := rand.New(rand.NewPCG(opt.Seed, uint64(r)))
				runs[r] = lloyd(data, n, d, opt.K, kmeansPP(data, n, d, opt.K, rng), opt.MaxIter, tol)
			}
		}()
	}
	wg.Wait()
	best := 0
	for r, run := range runs {
		if run.inertia < runs[best].inertia {
			best = r
		}
	}
	b := runs[best]
	return &KMeansResult{
		Labels:    b.labels,
		Centroids: mat.NewDense(opt.K, d, b.centers),
		Inertia:   b.inertia,
		Iter:      b.iter,
		Run:       best,
	}, nil
}

// kmeansPP returns k initial centres (k×d row-major) chosen by greedy
// k-means++ as scikit-learn's _kmeans_plusplus.
func kmeansPP(data []float64, n, d, k int, rng *rand.Rand) []float64 {
	centers := make([]float64, k*d)
	trials := 2 + int(math.Log(float64(k)))
	first := rng.IntN(n)
	copy(centers[:d], data[first*d:(first+1)*d])
	closest := make([]float64, n)
	var pot float64
	for i := 0; i < n; i++ {
		closest[i] = sqDist(data[i*d:(i+1)*d], centers[:d])
		pot += closest[i]
	}
	cum := make([]float64, n)
	cand := make([][]float64, trials)
	for t := range cand {
		cand[t] = make([]float64, n)
	}
	ids := make([]int, trials)
	for c := 1; c < k; c++ {
		var s float64
		for i, v := range closest {
			s += v
			cum[i] = s
		}
		for t := range ids {
			r := rng.Float64() * pot
			id := sort.SearchFloat64s(cum, r)
			ids[t] = min(id, n-1)
		}
		bestT, bestPot := 0, math.Inf(1)
		for t, id := range ids {
			cr := data[id*d : (id+1)*d]
			nd := cand[t]
			var p float64
			for i := 0; i < n; i++ {
				v := min(closest[i], partialDist(data[i*d:(i+1)*d], cr, closest[i]))
				nd[i] = v
				p += v
			}
			if p < bestPot {
				bestT, bestPot = t, p
			}
		}
		copy(centers[c*d:(c+1)*d], data[ids[bestT]*d:(ids[bestT]+1)*d])
		copy(closest, cand[bestT])
		pot = bestPot
	}
	return centers
}

type kmRun struct {
	labels  []int
	centers []float64
	inertia float64
	iter    int
}

// lloyd runs Lloyd's algorithm from the given centres with Hamerly's
// bounds. It follows scikit-learn's loop: assign, update centres, stop on
// an unchanged assignment or a small centre shift; after a shift stop the
// rows are reassigned to the final centres.
func lloyd(data []float64, n, d, k int, centers []float64, maxIter int, tol float64) *kmRun {
	labels := make([]int, n)
	old := make([]int, n)
	for i := range old {
		old[i] = -1
	}
	upper := make([]float64, n) // ≥ distance to own centre
	lower := make([]float64, n) // ≤ distance to any other centre
	half := make([]float64, k)  // half the distance to the nearest other centre
	shift := make([]float64, k)
	sums := make([]float64, k*d)
	counts := make([]int, k)
	newC := make([]float64, k*d)

	// full assigns row i to its nearest centre, keeping the cluster sums
	// up to date, and resets its bounds.
	full := func(i int) {
		x := data[i*d : (i+1)*d]
		b1, b2, a := math.Inf(1), math.Inf(1), 0
		for j := 0; j < k; j++ {
			v := partialDist(x, centers[j*d:(j+1)*d], b2)
			if v < b1 {
				b1, b2, a = v, b1, j
			} else if v < b2 {
				b2 = v
			}
		}
		if o := labels[i]; o != a {
			if o >= 0 {
				counts[o]--
				so := sums[o*d : (o+1)*d]
				for j, v := range x {
					so[j] -= v
				}
			}
			counts[a]++
			sa := sums[a*d : (a+1)*d]
			for j, v := range x {
				sa[j] += v
			}
			labels[i] = a
		}
		upper[i] = math.Sqrt(b1)
		lower[i] = math.Sqrt(b2)
	}
	// resum recomputes the cluster sums exactly.
	resum := func() {
		clear(sums)
		clear(counts)
		for i := 0; i < n; i++ {
			a := labels[i]
			counts[a]++
			sa := sums[a*d : (a+1)*d]
			for j, v := range data[i*d : (i+1)*d] {
				sa[j] += v
			}
		}
	}
	for i := range labels {
		labels[i] = -1
	}
	for i := 0; i < n; i++ {
		full(i)
	}
	strict := false
	iter := 0
	for iter < maxIter {
		iter++
		if iter > 1 {
			// Assignment with Hamerly's bounds against the current centres.
			for j := 0; j < k; j++ {
				m := math.Inf(1)
				for o := 0; o < k; o++ {
					if o != j {
						m = min(m, sqDist(centers[j*d:(j+1)*d], centers[o*d:(o+1)*d]))
					}
				}
				half[j] = math.Sqrt(m) / 2
			}
			for i := 0; i < n; i++ {
				a := labels[i]
				bound := max(half[a], lower[i])
				if upper[i] <= bound {
					continue
				}
				upper[i] = math.Sqrt(sqDist(data[i*d:(i+1)*d], centers[a*d:(a+1)*d]))
				if upper[i] <= bound {
					continue
				}
				full(i)
			}
		}
		// Update step. The sums follow reassignments incrementally and are
		// recomputed now and then to stop rounding from accumulating.
		if iter%16 == 0 {
			resum()
		}
		relocated := relocateEmpty(data, n, d, k, labels, centers, sums, counts)
		for j := 0; j < k; j++ {
			c := newC[j*d : (j+1)*d]
			if counts[j] == 0 {
				copy(c, centers[j*d:(j+1)*d])
				continue
			}
			inv := 1 / float64(counts[j])
			for t, v := range sums[j*d : (j+1)*d] {
				c[t] = v * inv
			}
		}
		var shiftTot, maxShift, maxShift2 float64
		maxArg := -1
		for j := 0; j < k; j++ {
			s2 := sqDist(newC[j*d:(j+1)*d], centers[j*d:(j+1)*d])
			shiftTot += s2
			shift[j] = math.Sqrt(s2)
			if shift[j] > maxShift {
				maxShift2, maxShift, maxArg = maxShift, shift[j], j
			} else if shift[j] > maxShift2 {
				maxShift2 = shift[j]
			}
		}
		centers, newC = newC, centers
		same := true
		for i := 0; i < n; i++ {
			if labels[i] != old[i] {
				same = false
				break
			}
		}
		if same {
			strict = true
			break
		}
		copy(old, labels)
		if shiftTot <= tol {
			break
		}
		// Move the bounds by the centre shifts.
		for i := 0; i < n; i++ {
			a := labels[i]
			upper[i] += shift[a]
			if a == maxArg {
				lower[i] -= maxShift2
			} else {
				lower[i] -= maxShift
			}
		}
		if relocated {
			for i := 0; i < n; i++ {
				upper[i] = math.Inf(1)
				lower[i] = 0
			}
		}
	}
	if !strict {
		for i := 0; i < n; i++ {
			full(i)
		}
	} else {
		// The centres are the means of the final clusters; make them exact.
		resum()
		for j := 0; j < k; j++ {
			if counts[j] > 0 {
				for t, v := range sums[j*d : (j+1)*d] {
					centers[j*d+t] = v / float64(counts[j])
				}
			}
		}
	}
	var inertia float64
	for i := 0; i < n; i++ {
		a := labels[i]
		inertia += sqDist(data[i*d:(i+1)*d], centers[a*d:(a+1)*d])
	}
	return &kmRun{labels: labels, centers: centers, inertia: inertia, iter: iter}
}

// relocateEmpty gives each empty cluster the row farthest from its centre
// among rows not yet moved, as scikit-learn does, updating labels, sums and
// counts. It reports whether any cluster was relocated.
func relocateEmpty(data []float64, n, d, k int, labels []int, centers, sums []float64, counts []int) bool {
	var empty []int
	for j := 0; j < k; j++ {
		if counts[j] == 0 {
			empty = append(empty, j)
		}
	}
	if len(empty) == 0 {
		return false
	}
	dist := make([]float64, n)
	order := make([]int, n)
	for i := 0; i < n; i++ {
		a := labels[i]
		dist[i] = sqDist(data[i*d:(i+1)*d], centers[a*d:(a+1)*d])
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return dist[order[a]] > dist[order[b]] })
	taken := 0
	for _, j := range empty {
		// Take the farthest row whose cluster keeps at least one member.
		for taken < n && counts[labels[order[taken]]] <= 1 {
			taken++
		}
		if taken == n {
			break
		}
		i := order[taken]
		taken++
		a := labels[i]
		x := data[i*d : (i+1)*d]
		for t, v := range x {
			sums[a*d+t] -= v
			sums[j*d+t] += v
		}
		counts[a]--
		counts[j]++
		labels[i] = j
	}
	return true
}
