package tfrunner

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/internal/atomicfile"
	"fmnist/tfrunner/tboard"
)

// Settings returns the settings run.json records.
func (r *Run) Settings() Settings {
	return Settings{Model: r.Model, Data: r.DataFingerprint, Limit: r.Limit, Train: r.TrainExamples, Validation: r.ValExamples,
		Batch: r.Batch, Epochs: r.Epochs, Classes: r.Classes, Seed: r.Seed, Adam: r.Adam, Engine: r.Engine}
}

// Check reports whether r, a run.json that Dir.ReadRun has already
// validated on its own, is a run of m: its model and class count.
func (r *Run) Check(m *graphs.Model) error {
	switch {
	case r.Model != m.Name:
		return fmt.Errorf("names model %q, want %q", r.Model, m.Name)
	case r.Classes != m.Classes():
		return fmt.Errorf("has %d classes, model %s has %d", r.Classes, m.Name, m.Classes())
	}
	return nil
}

// finishedRun returns the run in opts.Dir when it is finished: its run.json
// is valid for m and d, and agrees with the checkpoint, which has trained
// all its epochs. It returns nil, nil for a run that is not finished (no,
// an invalid or a disagreeing run.json; no or a partial checkpoint), which
// TrainModel then continues from its checkpoint. A finished run made with
// other settings than opts and d ask for is a *SettingsError: it is kept
// only for the same settings, and replaced only by training again without
// -resume.
func finishedRun(eng Engine, m *graphs.Model, d *dataset.Data, opts Options) (*Run, error) {
	runPath := filepath.Join(opts.Dir, RunFile)
	r, err := OpenDir(opts.Dir).ReadRun()
	if err != nil || r.Check(m) != nil || r.TestExamples != d.Test.N {
		return nil, nil
	}
	ck, err := ReadCheckpoint(filepath.Join(opts.Dir, WeightsFile), m)
	if err != nil && !errors.Is(err, ErrNoCheckpoint) {
		return nil, err
	}
	if err != nil || ck.Epoch != ck.Epochs || ck.Settings.Diff(r.Settings()) != nil {
		return nil, nil
	}
	if diff := r.Settings().Diff(runSettings(eng, m, d, opts)); diff != nil {
		return nil, &SettingsError{Path: runPath, What: "finished run", Differs: diff}
	}
	return r, nil
}

// runFiles are the files of a run directory written through atomicfile,
// by the directory they are in (inside the run directory).
var runFiles = map[string][]string{
	".":      {ModelFile, SummaryFile, DiagramFile, HistoryFile, RunFile, WeightsFile, EncodingFile, HiddenFile, PredictionsFile, ONNXFile},
	TrainLog: {tboard.ProjectorConfigFile, tboard.ProjectorTensorFile, tboard.MetadataFile, tboard.SpriteFile},
}

// removeStaleTemps removes the temporary files a training killed while
// writing left in dir. The caller holds dir's lock, so no other training
// is writing them.
func removeStaleTemps(dir string) error {
	for sub, names := range runFiles {
		err := atomicfile.RemoveTemps(filepath.Join(dir, sub), names)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
