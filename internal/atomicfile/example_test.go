package atomicfile_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"fmnist/internal/atomicfile"
)

// Example writes a file atomically, reads it back, and shows that a write
// that fails half-way leaves the previous content in place.
func Example() {
	dir, err := os.MkdirTemp("", "atomicfile-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "greeting.txt")

	err = atomicfile.Write(path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "hello, atomic world")
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("read back: %q\n", data)

	err = atomicfile.Write(path, func(w io.Writer) error {
		io.WriteString(w, "half a gree")
		return errors.New("disk on fire")
	})
	fmt.Println("failed write:", err != nil)
	data, err = os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("after it: %q, %d file(s) in the directory\n", data, len(entries))
	// Output:
	// read back: "hello, atomic world\n"
	// failed write: true
	// after it: "hello, atomic world\n", 1 file(s) in the directory
}
