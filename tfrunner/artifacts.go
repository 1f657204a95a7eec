package tfrunner

// File names inside a run directory runs/<model>/. They are a contract with
// cmd/report and users' scripts.
const (
	ModelFile       = "model.json"           // graphs.Model as JSON
	SummaryFile     = "summary.txt"          // Keras-style summary
	DiagramFile     = "architecture.png"     // architecture diagram
	HistoryFile     = "history.json"         // History
	RunFile         = "run.json"             // Run; written last: its presence marks the run complete
	WeightsFile     = "weights.ckpt"         // checkpoint: weights, Adam state, history
	EncodingFile    = "encoding_test.csv"    // header row, then the encoding layer's output per test image
	PredictionsFile = "predictions_test.csv" // label[,original],predicted,p0..pK-1 per test image
	// HiddenFile holds, when the encoding layer follows another Dense
	// layer (models A and B), that layer's output per test image, after a
	// header row; sub-class discovery reads it with the encoding.
	HiddenFile = "hidden_test.csv"
)

// Epoch is one row of the training history, with Keras' key names.
type Epoch struct {
	Epoch       int     `json:"epoch"`
	Loss        float64 `json:"loss"`
	Accuracy    float64 `json:"accuracy"`
	ValLoss     float64 `json:"val_loss"`
	ValAccuracy float64 `json:"val_accuracy"`
	Seconds     float64 `json:"seconds"`
}

// History is the content of history.json.
type History struct {
	Model  string  `json:"model"`
	Epochs []Epoch `json:"epochs"`
}

// Run is the content of run.json: what was trained, how, and how it scored.
type Run struct {
	Model         string `json:"model"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engine_version"`
	Device        string `json:"device"`
	Params        int    `json:"params"`
	Batch         int    `json:"batch"`
	Epochs        int    `json:"epochs"`
	Seed          uint64 `json:"seed"`
	Classes       int    `json:"classes"`
	Threads       int    `json:"threads"`
	TrainExamples int    `json:"train_examples"`
	ValExamples   int    `json:"validation_examples"`
	TestExamples  int    `json:"test_examples"`
	DataDir       string `json:"data_dir"`
	DataFormat    string `json:"data_format"`
	// DataFingerprint identifies the dataset trained and tested on
	// (dataset.Data.Fingerprint); cmd/report refuses another.
	DataFingerprint string `json:"data_fingerprint,omitempty"`
	// Limit is the -limit trained with: training rows kept, 0 = all.
	Limit          int       `json:"limit,omitempty"`
	TrainSeconds   float64   `json:"train_seconds"`
	PredictSeconds float64   `json:"predict_seconds"` // forward pass over the whole test set
	TestLoss       float64   `json:"test_loss"`
	TestAccuracy   float64   `json:"test_accuracy"`
	Confusion      [][]int   `json:"confusion"` // [true][predicted]
	Precision      []float64 `json:"precision"`
	Recall         []float64 `json:"recall"`
	Adam           Adam      `json:"adam"`
	GoVersion      string    `json:"go_version"`
	HostCPU        string    `json:"host_cpu"`
	Started        string    `json:"started"`  // RFC 3339
	Finished       string    `json:"finished"` // RFC 3339
}
