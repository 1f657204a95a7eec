// Package analysis is the study's CM4 step: it analyses one trained run's
// encoding of the test set (runs/<model>/encoding_test.csv, as package
// tfrunner reads it) with package cluster (PCA, k-means, DBSCAN, t-SNE,
// scores, sub-class discovery). It owns the analysis files, analysis.json
// and the per-image CSV files written beside the report: it encodes them
// ([Result.Files]) and is their only reader ([Read]).
package analysis

// File names of the analysis files in the report directory.
const (
	File       = "analysis.json"
	PCAFile    = "pca.csv"    // header "pc1,pc2", one row per test image
	TSNEFile   = "tsne.csv"   // header "x,y", one row per test image
	KMeansFile = "kmeans.csv" // header "cluster", one row per test image
	DBSCANFile = "dbscan.csv" // header "cluster", one row per test image (-1 = noise)
	// SubclassesFile has the header "label,subclass", one row per test
	// image: its label and its sub-class's index within the label.
	SubclassesFile = "subclasses.csv"
)

// FileNames lists the names of every analysis file, as Result.Files may
// write them.
var FileNames = []string{PCAFile, TSNEFile, KMeansFile, DBSCANFile, SubclassesFile, File}

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
	Label    int       `json:"label"`
	Name     string    `json:"name"` // e.g. "T-shirt/Shirt"
	K        int       `json:"k"`
	Members  []int     `json:"members"`            // size of each sub-class
	Purity   []float64 `json:"purity,omitempty"`   // majority-class fraction of each sub-class
	Classes  [][]int   `json:"classes,omitempty"`  // [sub-class][original class] counts
	Majority []string  `json:"majority,omitempty"` // name of each sub-class's majority class
	// Representatives lists, per sub-class, the test-image indices closest
	// to its centre.
	Representatives [][]int `json:"representatives"`
	Found           int     `json:"found"` // clusters the dip tests found, before merging by the network's evidence
	// KeptApart counts the pairs of sub-classes the network scores alike
	// that stay apart because they form two clear modes.
	KeptApart int `json:"kept_apart,omitempty"`
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

// Result is an analysis with its per-image outputs: what analysis.json and
// the CSV files hold.
type Result struct {
	// Analysis is analysis.json.
	Analysis Analysis
	// PCA holds pca.csv's (pc1, pc2) per test image; nil when missing.
	PCA [][2]float64
	// TSNE holds tsne.csv's (x, y) per test image; nil when missing.
	TSNE [][2]float64
	// KMeans holds kmeans.csv's cluster per test image; nil when missing.
	KMeans []int
	// DBSCAN holds dbscan.csv's cluster per test image (-1 = noise); nil
	// when missing.
	DBSCAN []int
	// Subclass holds subclasses.csv's sub-class of each test image, its
	// index among its label's sub-classes; nil when missing.
	Subclass []int
	// SubclassLabels holds subclasses.csv's label of each test image; nil
	// when missing.
	SubclassLabels []int
	// Notes say which files [Read] found missing.
	Notes []string
}

// OutputFile is one analysis file, encoded, for the caller to write.
type OutputFile struct {
	Name string // base name, e.g. "pca.csv"
	Data []byte
}
