package dataset

// Image geometry of Fashion-MNIST, in NHWC order.
const (
	// Height is the number of pixel rows of an image.
	Height = 28
	// Width is the number of pixel columns of an image.
	Width = 28
	// Channels is the number of colour channels of an image (grey scale).
	Channels = 1
)

// Pixels is the number of values of one image: Height*Width*Channels.
const Pixels = Height * Width * Channels

// Grouping maps each original Fashion-MNIST class 0..9 to its group 0..4.
var Grouping = [10]int{0, 2, 2, 4, 4, 1, 0, 3, 3, 4}

// ClassNames are the names of the 10 original Fashion-MNIST classes.
var ClassNames = [10]string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// GroupNames are the names of the 5 groups of [Grouping].
var GroupNames = [5]string{
	"T-shirt/Shirt", "Sandal", "Trouser/Pullover", "Sneaker/Bag", "Dress/Coat/Ankle boot",
}

// DefaultDir is where the Debian package dataset-fashion-mnist installs the
// original IDX files.
const DefaultDir = "/usr/share/datasets/fashion-mnist"

// Format is the on-disk format of a dataset directory.
type Format string

// The recognised formats.
const (
	// FormatCSV is four CSV files holding grouped labels (x_train.csv, ...).
	FormatCSV Format = "csv"
	// FormatIDX is the four original IDX files, plain or gzipped.
	FormatIDX Format = "idx"
)

// Names returns the class names matching labels of the given class count:
// [GroupNames] for 5, [ClassNames] for 10, nil otherwise.
func Names(classes int) []string {
	switch classes {
	case len(GroupNames):
		return GroupNames[:]
	case len(ClassNames):
		return ClassNames[:]
	}
	return nil
}
