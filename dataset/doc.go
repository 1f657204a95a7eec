// Package dataset owns the Fashion-MNIST data of fmnist: reading the CSV and
// IDX files, validating them, grouping the 10 classes into 5, the
// Keras-style validation split, deterministic shuffling and batches.
//
// Two on-disk formats are recognised (see [Locate]):
//
//   - CSV: x_train.csv, y_train.csv, x_test.csv and y_test.csv, as written by
//     pandas DataFrame.to_csv(index=False). The x files hold a header row and
//     then one row of 784 integer pixels 0-255 per image; the y files hold a
//     header row and then one already-grouped label 0-4 per row.
//   - IDX: the original train-images-idx3-ubyte, train-labels-idx1-ubyte,
//     t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte files, each plain or
//     gzipped (.gz), with the original 10-class labels.
//
// CSV rules. The first line of every CSV file must be a header row: either
// the exact pandas header ("0,1,...,783" for x, "0" for y) or a row with the
// right number of columns in which at least one field is not a number (a
// name such as "label"). A first line made only of numbers is rejected as a
// missing header, so that a headerless file never silently loses its first
// image. Lines end in "\n" or "\r\n"; trailing line ends at the end of the
// file are ignored; a UTF-8 byte order mark is skipped. Every other line must
// be a data row: pixels are unsigned decimal integers 0-255 (no signs,
// spaces, quotes or decimals), labels are decimal integers. Empty lines
// inside the file are errors.
//
// Errors about malformed input are [*FormatError] values naming the file's
// path and the 1-based line (CSV) or byte offset (IDX) where the problem is;
// reading never panics on bad input and never returns partial data.
package dataset
