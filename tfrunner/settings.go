package tfrunner

import (
	"errors"
	"fmt"
	"strings"

	"fmnist/dataset"
	"fmnist/graphs"
)

// Settings are what shape a training run: resuming a checkpoint, or keeping
// a finished run, with other settings is refused (see Settings.Diff). They
// are stored in the checkpoint and, as separate keys, in run.json.
type Settings struct {
	Model string `json:"model"`
	// Data is the dataset's fingerprint (dataset.Data.Fingerprint).
	Data string `json:"data_fingerprint"`
	// Limit is the -limit used: training rows kept before the split, 0 =
	// all.
	Limit      int    `json:"limit"`
	Train      int    `json:"train_examples"`
	Validation int    `json:"validation_examples"`
	Batch      int    `json:"batch"`
	Epochs     int    `json:"epochs"`
	Classes    int    `json:"classes"`
	Seed       uint64 `json:"seed"`
	Adam       Adam   `json:"adam"`
	// Engine is the engine that started the run. It is recorded but not
	// compared: both engines read and continue the same checkpoint.
	Engine string `json:"engine"`
}

// runSettings resolves the settings of training m on d with opts (epochs
// and batch 0 meaning the model's own, a zero Adam meaning KerasAdam).
func runSettings(eng Engine, m *graphs.Model, d *dataset.Data, opts Options) Settings {
	s := Settings{Model: m.Name, Data: d.Fingerprint, Limit: d.Limit, Train: d.Train.N, Validation: d.Validation.N,
		Batch: opts.Batch, Epochs: opts.Epochs, Classes: m.Classes(), Seed: opts.Seed, Adam: opts.Adam}
	if s.Epochs == 0 {
		s.Epochs = m.Epochs
	}
	if s.Batch == 0 {
		s.Batch = m.Batch
	}
	s.Adam = s.Adam.OrKeras()
	if eng != nil {
		s.Engine = eng.Name()
	}
	return s
}

// Steps is the number of batches in one epoch.
func (s Settings) Steps() int {
	return (s.Train + s.Batch - 1) / s.Batch
}

// check tests that s describes a possible run.
func (s Settings) check() error {
	switch {
	case s.Model == "":
		return errors.New("settings name no model")
	case s.Batch < 1 || s.Epochs < 1:
		return fmt.Errorf("settings: batch %d and epochs %d must be at least 1", s.Batch, s.Epochs)
	case s.Train < 1 || s.Validation < 0:
		return fmt.Errorf("settings: %d training and %d validation examples", s.Train, s.Validation)
	case s.Classes != len(dataset.GroupNames) && s.Classes != len(dataset.ClassNames):
		return fmt.Errorf("settings: %d classes, want 5 or 10", s.Classes)
	case s.Limit < 0 || (s.Limit > 0 && s.Limit != s.Train+s.Validation):
		return fmt.Errorf("settings: limit %d for %d training and %d validation examples", s.Limit, s.Train, s.Validation)
	}
	return nil
}

// Diff returns the settings (all but Engine) in which s, the settings of
// a checkpoint or finished run, differs from now, those of this run, each
// as "name: was X, now Y" using the train command's flag names; nil when
// they agree.
func (s Settings) Diff(now Settings) []string {
	var out []string
	add := func(name string, was, is any) {
		if fmt.Sprint(was) != fmt.Sprint(is) {
			out = append(out, fmt.Sprintf("%s: was %v, now %v", name, was, is))
		}
	}
	add("model", s.Model, now.Model)
	data := func(f string) string {
		if f == "" {
			return "unknown"
		}
		return f
	}
	add("data (fingerprint of the dataset)", data(s.Data), data(now.Data))
	add("-limit", s.Limit, now.Limit)
	add("training examples", s.Train, now.Train)
	add("validation examples", s.Validation, now.Validation)
	add("-batch", s.Batch, now.Batch)
	add("-epochs", s.Epochs, now.Epochs)
	add("-classes", s.Classes, now.Classes)
	add("-seed", s.Seed, now.Seed)
	add("Adam hyper-parameters", s.Adam, now.Adam)
	return out
}

// SettingsError reports a checkpoint or finished run made with other
// settings than the run asking to continue or keep it.
type SettingsError struct {
	Path    string   // the checkpoint or run.json
	What    string   // "checkpoint" or "finished run"
	Differs []string // as Settings.Diff gives them
}

// Error names the file, each differing setting with both values, and the
// ways out.
func (e *SettingsError) Error() string {
	return fmt.Sprintf("resume: %s %s was made with other settings (%s): resume with the settings it was made with, "+
		"or train again without -resume, which replaces it", e.What, e.Path, strings.Join(e.Differs, "; "))
}
