package dataset

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// DefaultValidationFraction is the validation fraction used when
// Options.ValidationFraction is 0.
const DefaultValidationFraction = 0.2

// Data is a loaded dataset: the training rows cut into Train and Validation
// like Keras validation_split, and the Test rows.
type Data struct {
	// Train, Validation and Test are the three splits. Train and
	// Validation share one buffer.
	Train, Validation, Test Split
	// Classes is the number of label classes: 5 (grouped) or 10.
	Classes int
	// Dir is the absolute path of the directory read.
	Dir string
	// Format is the format of the files read.
	Format Format
	// Originals is the IDX directory whose original 10-class labels were
	// attached to CSV data (see Options.Originals); "" when none were.
	Originals string
	// Fingerprint identifies the dataset read: 32 hex digits of a SHA-256 of the row counts and CRC digests
	// over the images and grouped labels of all four files (before Limit),
	// the same for CSV and IDX files holding the same data.
	Fingerprint string
	// Limit is Options.Limit: the number of training rows kept, 0 for all.
	Limit int
}

// Options says what Load reads.
type Options struct {
	// Dir is the dataset directory; "" searches "./data", then DefaultDir
	// (see Locate).
	Dir string
	// Classes is 5 (the default when 0: labels grouped by Grouping) or 10
	// (the original classes, which the IDX files hold; CSV files serve when
	// their original labels attach, see Originals).
	Classes int
	// Limit, if > 0, keeps only the first Limit training rows, before the
	// validation split. It is an error if fewer rows are available.
	Limit int
	// ValidationFraction is the fraction of the training rows (after Limit)
	// held out for validation, taken from the end in file order like Keras
	// validation_split: the split is at int(n*(1-fraction)). 0 means
	// DefaultValidationFraction; a negative value means no validation rows.
	ValidationFraction float64
	// Originals is a directory of IDX files consulted for the original
	// 10-class labels when the dataset is CSV (which holds only the 5
	// grouped labels): they are used only when its images and grouped
	// labels equal the CSV files' exactly. "" means DefaultDir; "-" skips it.
	Originals string
}

// Load reads, validates and prepares a dataset. Images are scaled to
// float32 in [0,1]; labels are grouped into 5 classes unless Classes is 10.
// With Classes 10 and a directory holding both CSV and IDX files, the IDX
// files are read; CSV files alone serve when their original classes can be
// attached (see Options.Originals). On any error it returns nil and an
// error naming the file and line or byte offset; it never returns partial
// data.
func Load(opts Options) (*Data, error) {
	classes, frac, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	dir, format, err := Locate(opts.Dir)
	if err != nil {
		return nil, err
	}
	if classes == len(ClassNames) && format == FormatCSV {
		if _, missing := idxPaths(dir); len(missing) == 0 {
			format = FormatIDX
		}
	}
	var man *manifest
	if format == FormatCSV {
		if man, err = readManifest(dir); err != nil {
			return nil, err
		}
		if man != nil {
			if err := man.checkSizes(dir); err != nil {
				return nil, err
			}
		}
	}
	train, test, err := readSource(dir, format)
	if err != nil {
		return nil, err
	}
	if man != nil {
		if err := man.checkContent(dir, train, test); err != nil {
			return nil, err
		}
	}
	print := fingerprint(train, test)
	originals := ""
	from := opts.Originals
	if from == "" {
		from = DefaultDir
	}
	tenFromCSV := classes == len(ClassNames) && format == FormatCSV
	if format == FormatCSV && from != "-" {
		attached, err := attachOriginals(&train, &test, from)
		if err != nil && tenFromCSV {
			return nil, fmt.Errorf("10 classes need the original labels of the CSV files in %s: %w", dir, err)
		}
		if attached {
			originals = from
		}
	}
	if tenFromCSV && originals == "" {
		where := "no IDX files were consulted"
		if from != "-" {
			where = "no IDX files holding the same images were found in " + from
		}
		return nil, fmt.Errorf("10 classes need the original IDX files, but %s holds CSV files with the 5 grouped labels only, "+
			"and %s: use 5 classes, or a directory with the IDX files such as %s", dir, where, DefaultDir)
	}
	if opts.Limit > 0 {
		if opts.Limit > train.n {
			return nil, fmt.Errorf("limit %d exceeds the %d training rows of %s", opts.Limit, train.n, train.xPath)
		}
		train = train.head(opts.Limit)
	}
	splitAt := train.n
	if frac > 0 {
		splitAt = int(float64(train.n) * (1 - frac))
	}
	if splitAt <= 0 {
		return nil, fmt.Errorf("validation fraction %g of %d training rows of %s leaves no rows to train on", frac, train.n, train.xPath)
	}
	all := makeSplit(train, classes)
	return &Data{
		Train:      all.Slice(0, splitAt),
		Validation: all.Slice(splitAt, all.N),
		Test:       makeSplit(test, classes),
		Classes:    classes,
		Dir:        dir,
		Format:     format,
		Originals:  originals,

		Fingerprint: print,
		Limit:       opts.Limit,
	}, nil
}

// resolve applies the defaults of o and checks it.
func (o Options) resolve() (classes int, frac float64, err error) {
	classes, frac = o.Classes, o.ValidationFraction
	if classes == 0 {
		classes = len(GroupNames)
	}
	if classes != len(GroupNames) && classes != len(ClassNames) {
		return 0, 0, fmt.Errorf("%d classes: want 5 (grouped) or 10 (original)", o.Classes)
	}
	switch {
	case math.IsNaN(frac) || frac >= 1:
		return 0, 0, fmt.Errorf("validation fraction %g: want a value below 1", frac)
	case frac == 0:
		frac = DefaultValidationFraction
	case frac < 0:
		frac = 0
	}
	if o.Limit < 0 {
		return 0, 0, errors.New("negative limit")
	}
	return classes, frac, nil
}

// scale maps a byte to its float32 value scaled by 1/255.
var scale = func() (t [256]float32) {
	for v := range t {
		t[v] = float32(v) / 255
	}
	return t
}()

// makeSplit scales r's images and picks its labels for the class count.
func makeSplit(r rawSplit, classes int) Split {
	s := Split{X: make([]float32, len(r.pix)), N: r.n}
	parallelRange(len(r.pix), func(lo, hi int) {
		x := s.X[lo:hi]
		for i, v := range r.pix[lo:hi] {
			x[i] = scale[v]
		}
	})
	if !r.original {
		s.Labels = r.labels
		return s
	}
	s.Original = r.labels
	if classes == len(ClassNames) {
		s.Labels = slices.Clone(r.labels)
		return s
	}
	s.Labels = make([]int, r.n)
	for i, l := range r.labels {
		s.Labels[i] = Grouping[l]
	}
	return s
}
