package analysis

import (
	"fmt"
	"io"
	"time"

	"gonum.org/v1/gonum/mat"

	"fmnist/cluster"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// Options are the analysis settings.
type Options struct {
	Model      string  // the analysed model; default "A"
	K          int     // k-means clusters; default 5
	Eps        float64 // DBSCAN radius; default 2.8
	MinSamples int     // DBSCAN core size; default 4
	Perplexity float64 // t-SNE perplexity; default 30
	Seed       uint64  // seeds k-means, t-SNE and sub-class discovery
	// Log receives one line per step with its time; nil is silent.
	Log io.Writer
	// Test is the run's test set (checked against the run's data
	// fingerprint by the caller), whose images join sub-class discovery's
	// representations; nil leaves them out (see Analysis.SubclassInputs).
	Test *dataset.Split
}

func (o *Options) defaults() {
	if o.Model == "" {
		o.Model = "A"
	}
	if o.K == 0 {
		o.K = 5
	}
	if o.Eps == 0 {
		o.Eps = 2.8
	}
	if o.MinSamples == 0 {
		o.MinSamples = 4
	}
	if o.Perplexity == 0 {
		o.Perplexity = 30
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// Check reports settings out of range.
func (o Options) Check() error {
	switch {
	case o.K < 0 || o.K == 1:
		return fmt.Errorf("-k %d: need at least 2 clusters", o.K)
	case o.Eps < 0:
		return fmt.Errorf("-eps %v: must be positive", o.Eps)
	case o.MinSamples < 0:
		return fmt.Errorf("-min-samples %d: must be at least 1", o.MinSamples)
	case o.Perplexity < 0:
		return fmt.Errorf("-perplexity %v: must be positive", o.Perplexity)
	}
	return nil
}

// Analyse analyses the encoding of the test set of run, read by
// tfrunner.ReadArtifacts, with the labels of its predictions, and returns
// the result in memory; [Result.Files] encodes it.
func Analyse(run *tfrunner.Artifacts, opts Options) (*Result, error) {
	opts.defaults()
	if err := opts.Check(); err != nil {
		return nil, err
	}
	dir := tfrunner.Dir{Path: run.Dir}
	encPath, predPath := dir.File(tfrunner.EncodingFile), dir.File(tfrunner.PredictionsFile)
	enc, pred := run.Encoding, run.Predictions
	switch {
	case enc == nil:
		return nil, fmt.Errorf("model %s: %s is missing: nothing to analyse", opts.Model, encPath)
	case pred == nil:
		return nil, fmt.Errorf("model %s: %s is missing: the test labels are unknown", opts.Model, predPath)
	case len(pred.Labels) != enc.Rows:
		return nil, fmt.Errorf("%s has %d rows but %s has %d", encPath, enc.Rows, predPath, len(pred.Labels))
	}
	rows, cols := enc.Rows, enc.Columns
	x := mat.NewDense(rows, cols, enc.Values)
	a := &Analysis{Model: opts.Model, Rows: rows, Dims: cols, HasClasses: pred.Original != nil, Scores: map[string]Scores{}}
	step := func(name string, seconds *float64, f func() error) error {
		t0 := time.Now()
		if err := f(); err != nil {
			return fmt.Errorf("%s of %s: %w", name, encPath, err)
		}
		*seconds = time.Since(t0).Seconds()
		fmt.Fprintf(opts.Log, "analysis %s: %s in %.2fs\n", opts.Model, name, *seconds)
		return nil
	}

	var pca *cluster.PCAResult
	if err := step("PCA", &a.Seconds.PCA, func() (err error) {
		pca, err = cluster.PCA(x, 2)
		return err
	}); err != nil {
		return nil, err
	}
	a.PCA.ExplainedVarianceRatio = pca.ExplainedVarianceRatio

	var km *cluster.KMeansResult
	if err := step("k-means", &a.Seconds.KMeans, func() (err error) {
		km, err = cluster.KMeans(x, cluster.KMeansOptions{K: opts.K, Seed: opts.Seed})
		return err
	}); err != nil {
		return nil, err
	}
	a.KMeans = KMeans{K: opts.K, Inertia: km.Inertia, Sizes: sizes(km.Labels, opts.K)}
	var err error
	if a.KMeans.Contingency5, err = contingency(pred.Labels, km.Labels, maxOf(pred.Labels)+1, opts.K); err != nil {
		return nil, err
	}
	if pred.Original != nil {
		if a.KMeans.Contingency10, err = contingency(pred.Original, km.Labels, len(dataset.ClassNames), opts.K); err != nil {
			return nil, err
		}
	}

	var db *cluster.DBSCANResult
	var suggestedEps float64
	if err := step("DBSCAN", &a.Seconds.DBSCAN, func() (err error) {
		if db, err = cluster.DBSCAN(x, opts.Eps, opts.MinSamples); err != nil {
			return err
		}
		suggestedEps, err = cluster.SuggestEps(x, opts.MinSamples)
		return err
	}); err != nil {
		return nil, err
	}
	a.DBSCAN = DBSCAN{Eps: opts.Eps, MinSamples: opts.MinSamples, Clusters: len(db.Sizes), Noise: db.Noise,
		Sizes: db.Sizes, SuggestedEps: suggestedEps}

	var ts *cluster.TSNEResult
	if err := step("t-SNE", &a.Seconds.TSNE, func() (err error) {
		ts, err = cluster.TSNE(x, cluster.TSNEOptions{Perplexity: opts.Perplexity, Seed: opts.Seed})
		return err
	}); err != nil {
		return nil, err
	}
	a.TSNE = TSNE{KL: ts.KL, Iterations: ts.Iter, Perplexity: opts.Perplexity}

	var sub []int
	if err := step("sub-classes", &a.Seconds.Subclasses, func() (err error) {
		sub, a.Seconds.SubclassStability, err = discover(a, run, x, pred, opts.Test, opts.Seed)
		return err
	}); err != nil {
		return nil, err
	}
	a.Seconds.Subclasses -= a.Seconds.SubclassStability

	for method, labels := range map[string][]int{"labels": pred.Labels, "kmeans": km.Labels, "dbscan": db.Labels, "subclasses": sub} {
		s, err := score(x, labels, pred, opts.Seed)
		if err != nil {
			return nil, fmt.Errorf("scores of %s: %w", method, err)
		}
		a.Scores[method] = s
	}
	assignment, err := assign(a, pred.Labels, sub)
	if err != nil {
		return nil, err
	}
	if pred.Original != nil {
		a.SubclassesARI10 = a.Scores["subclasses"].ARI10
	}

	return &Result{
		Analysis: *a, PCA: points(pca.Coords), TSNE: points(ts.Embedding), KMeans: km.Labels, DBSCAN: db.Labels,
		Subclass: assignment.Subclass, SubclassLabels: assignment.Labels,
	}, nil
}

// score compares labels with the truth; silhouette on a seeded sample of
// 5,000 rows as the scikit-learn reference does.
func score(x *mat.Dense, labels []int, pred *tfrunner.Predictions, seed uint64) (Scores, error) {
	var s Scores
	var err error
	if s.ARI5, err = cluster.AdjustedRandIndex(pred.Labels, labels); err != nil {
		return s, err
	}
	if s.NMI5, err = cluster.NMI(pred.Labels, labels); err != nil {
		return s, err
	}
	if pred.Original != nil {
		if s.ARI10, err = cluster.AdjustedRandIndex(pred.Original, labels); err != nil {
			return s, err
		}
		if s.NMI10, err = cluster.NMI(pred.Original, labels); err != nil {
			return s, err
		}
	}
	// The silhouette is undefined (left 0) when the sample holds a single
	// cluster, as a DBSCAN result of one cluster and some noise may.
	if sil, err := cluster.SilhouetteSample(x, labels, 5000, seed); err == nil {
		s.Silhouette5 = sil
	}
	return s, nil
}

func maxOf(v []int) int {
	m := 0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// sizes counts rows per cluster 0..k-1.
func sizes(labels []int, k int) []int {
	out := make([]int, k)
	for _, l := range labels {
		if l >= 0 && l < k {
			out[l]++
		}
	}
	return out
}

// contingency lays cluster.ContingencyTable of a and b out over the full
// ranges 0..na-1 × 0..nb-1, so that a label or cluster without rows keeps
// its row or column of zeros.
func contingency(a, b []int, na, nb int) ([][]int, error) {
	c, err := cluster.ContingencyTable(a, b)
	if err != nil {
		return nil, err
	}
	out := make([][]int, na)
	for i := range out {
		out[i] = make([]int, nb)
	}
	for i, r := range c.Rows {
		for j, col := range c.Cols {
			if r < 0 || r >= na || col < 0 || col >= nb {
				return nil, fmt.Errorf("contingency: labels %d, %d outside %d×%d", r, col, na, nb)
			}
			out[r][col] = c.Counts[i][j]
		}
	}
	return out, nil
}
