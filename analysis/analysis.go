// Package analysis is the study's CM4 step: it reads one trained run's
// encoding of the test set (runs/<model>/encoding_test.csv) and its labels,
// analyses it with package cluster (PCA, k-means, DBSCAN, t-SNE, scores,
// sub-class discovery) and writes report/analysis.json and the per-image CSV
// files that package report draws.
package analysis

// File names written into the report directory.
const (
	File       = "analysis.json"
	PCAFile    = "pca.csv"    // header "pc1,pc2", one row per test image
	TSNEFile   = "tsne.csv"   // header "x,y", one row per test image
	KMeansFile = "kmeans.csv" // header "cluster", one row per test image
	DBSCANFile = "dbscan.csv" // header "cluster", one row per test image (-1 = noise)
)

// Analysis is the content of analysis.json.
type Analysis struct {
	Model      string            `json:"model"`
	Rows       int               `json:"rows"`        // test images analysed
	Dims       int               `json:"dims"`        // encoding width
	HasClasses bool              `json:"has_classes"` // original 10-class labels were known
	PCA        PCA               `json:"pca"`
	KMeans     KMeans            `json:"kmeans"`
	DBSCAN     DBSCAN            `json:"dbscan"`
	TSNE       TSNE              `json:"tsne"`
	Scores     map[string]Scores `json:"scores"`     // by method: "labels" (the true 5 labels), "kmeans", "dbscan", "subclasses"
	Subclasses []Subclasses      `json:"subclasses"` // indexed by label
	// SubclassesARI10 scores the whole discovered partition (label, sub-class)
	// against the 10 original classes; 0 when they are unknown.
	SubclassesARI10 float64 `json:"subclasses_ari10"`
	// SubclassInputs names the representations sub-class discovery
	// searched together: "hidden", "encoding", "pixels".
	SubclassInputs []string `json:"subclass_inputs"`
	Seconds        Seconds  `json:"seconds"`
}

// PCA summarises the 2-D projection.
type PCA struct {
	ExplainedVarianceRatio []float64 `json:"explained_variance_ratio"`
}

// KMeans summarises the k-means clustering.
type KMeans struct {
	K       int     `json:"k"`
	Inertia float64 `json:"inertia"`
	Sizes   []int   `json:"sizes"`
	// Contingency5[label][cluster] counts test images.
	Contingency5 [][]int `json:"contingency5"`
	// Contingency10[class][cluster]; nil when the classes are unknown.
	Contingency10 [][]int `json:"contingency10,omitempty"`
}

// DBSCAN summarises the density clustering.
type DBSCAN struct {
	Eps          float64 `json:"eps"`
	MinSamples   int     `json:"min_samples"`
	Clusters     int     `json:"clusters"`
	Noise        int     `json:"noise"`
	Sizes        []int   `json:"sizes"`
	SuggestedEps float64 `json:"suggested_eps"` // knee of the k-distance curve
}

// TSNE summarises the t-SNE embedding.
type TSNE struct {
	KL         float64 `json:"kl"`
	Iterations int     `json:"iterations"`
	Perplexity float64 `json:"perplexity"`
}

// Scores compares a labelling of the test images with the truth.
type Scores struct {
	ARI5        float64 `json:"ari5"`
	NMI5        float64 `json:"nmi5"`
	ARI10       float64 `json:"ari10"`       // against the 10 original classes; 0 when they are unknown
	NMI10       float64 `json:"nmi10"`       // likewise
	Silhouette5 float64 `json:"silhouette5"` // silhouette of this labelling in encoding space (5,000-row sample); 0 where undefined
}

// Subclasses is what sub-class discovery found inside one label.
type Subclasses struct {
	Label      int       `json:"label"`
	Name       string    `json:"name"` // e.g. "T-shirt/Shirt"
	K          int       `json:"k"`
	Members    []int     `json:"members"`            // size of each sub-class
	Purity     []float64 `json:"purity,omitempty"`   // majority-class fraction of each sub-class
	Classes    [][]int   `json:"classes,omitempty"`  // [sub-class][original class] counts
	Majority   []string  `json:"majority,omitempty"` // name of each sub-class's majority class
	Represents [][]int   `json:"representatives"`    // test-image indices closest to each centre
	Found      int       `json:"found"`              // clusters the dip tests found, before merging by the network's evidence
	// Separation is the smallest evidence separation (0..1) between two
	// sub-classes; 0 when k = 1.
	Separation float64    `json:"separation"`
	Stability  *Stability `json:"stability,omitempty"`
}

// Stability says how often sub-class discovery finds the same split of a
// label on bootstrap resamples of its images.
type Stability struct {
	Resamples int     `json:"resamples"`
	SameK     int     `json:"same_k"`    // resamples with the same number of sub-classes
	Agreement float64 `json:"agreement"` // median ARI with the reported split, on the resampled images
}

// Seconds times each step.
type Seconds struct {
	PCA        float64 `json:"pca"`
	KMeans     float64 `json:"kmeans"`
	DBSCAN     float64 `json:"dbscan"`
	TSNE       float64 `json:"tsne"`
	Subclasses float64 `json:"subclasses"`
	// SubclassStability times the bootstrap resamples, not counted in
	// Subclasses.
	SubclassStability float64 `json:"subclass_stability"`
}
