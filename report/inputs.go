package report

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
)

// RunArtifacts is one run directory runs/<model>/, as tfrunner reads it.
type RunArtifacts = tfrunner.Artifacts

// Inputs is everything the report shows but the dataset's images, read
// once and handed to [Render].
type Inputs struct {
	// Runs are the reported runs, in order, each named after its
	// directory.
	Runs []*RunArtifacts
	// Analysis is the analysis of one run's encoding; nil when there is
	// none.
	Analysis *analysis.Result
	// Data is the dataset of the pictures (and of the analysis' pixels),
	// checked against every run's fingerprint; nil when it could not be
	// read (see LoadData).
	Data *dataset.Data
	// Notes say what was missing or skipped while reading.
	Notes []string

	dataLoaded bool // LoadData has run
}

// LoadData reads the dataset once for the whole report: dir when given
// (an error if it cannot be read), else the data_dir of model's run.json,
// else the first reported run's (a note, and no pictures, if it cannot be
// read). It refuses a dataset other than the one each run was trained and
// tested on (tfrunner.Artifacts.CheckData). Render calls it when the caller
// has not.
func (in *Inputs) LoadData(dir, model string) error {
	in.dataLoaded = true
	explicit := dir != ""
	if !explicit {
		if r := in.Run(model); r != nil {
			dir = r.Run.DataDir
		}
	}
	if dir == "" && len(in.Runs) > 0 {
		dir = in.Runs[0].Run.DataDir
	}
	if dir == "" {
		in.note("no dataset directory given or recorded in run.json: the picture grids are left out")
		return nil
	}
	d, err := dataset.Load(dataset.Options{Dir: dir, ValidationFraction: -1})
	if err != nil {
		if explicit {
			return fmt.Errorf("read dataset for the pictures: %w", err)
		}
		in.note("dataset %s (from run.json) cannot be read, so the picture grids are left out: %v", dir, err)
		return nil
	}
	for _, r := range in.Runs {
		if err := r.CheckData(d); err != nil {
			return err
		}
	}
	in.Data = d
	return nil
}

func (in *Inputs) note(format string, args ...any) {
	in.Notes = append(in.Notes, fmt.Sprintf(format, args...))
}

// Run returns the reported run of model, nil if there is none.
func (in *Inputs) Run(model string) *RunArtifacts {
	for _, r := range in.Runs {
		if r.Name == model {
			return r
		}
	}
	return nil
}

// ReadRuns reads the run directories <runsDir>/<model>/ of models through
// fsys, the file system rooted at runsDir, with tfrunner.ReadArtifacts.
// Empty models means the study's (graphs.Names), skipping with a note those
// that are missing or incomplete; when set, each must be complete. A
// corrupt run is an error naming the model and the file. Only the run of
// the model analysed (named by analysed; "" for none) keeps its encoding's
// values; the others' are checked and dropped (tfrunner.Dir.SkipValues).
func ReadRuns(fsys fs.FS, runsDir string, models []string, analysed string) (*Inputs, error) {
	in := &Inputs{}
	explicit := len(models) > 0
	if !explicit {
		models = graphs.Names
	}
	for _, name := range models {
		sub, err := fs.Sub(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		dir := filepath.Join(runsDir, name)
		r, err := tfrunner.ReadArtifacts(tfrunner.Dir{FS: sub, Path: dir, SkipValues: name != analysed})
		if errors.Is(err, tfrunner.ErrIncomplete) && !explicit {
			in.note("model %s skipped: %v", name, err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		if r.Name != name {
			r.Notes = append(r.Notes, fmt.Sprintf("%s names model %q; the report calls it %q after its directory", filepath.Join(dir, "run.json"), r.Name, name))
			r.Name = name
		}
		for _, n := range r.Notes {
			in.note("model %s: %s", name, n)
		}
		in.Runs = append(in.Runs, r)
	}
	return in, nil
}

// ReadAnalysis reads the analysis files in dir (analysis.Read) into
// in.Analysis, noting what is missing; model is the model the report
// expects to be analysed. A missing analysis.json is a note, a corrupt
// analysis file an error.
func (in *Inputs) ReadAnalysis(dir, model string) error {
	an, err := analysis.Read(dir)
	path := filepath.Join(dir, analysis.File)
	switch {
	case err == nil:
		in.Analysis = an
		for _, n := range an.Notes {
			in.note("analysis: %s", n)
		}
		if an.Analysis.Model != model {
			in.note("%s analyses model %s, not %s: the CM4 section shows model %s", path, an.Analysis.Model, model, an.Analysis.Model)
		}
	case errors.Is(err, fs.ErrNotExist):
		in.note("%s is missing: run the analysis step first; the CM4 section is empty", path)
	default:
		return err
	}
	return nil
}
