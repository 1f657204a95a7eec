package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// csvFile is a CSV file read into memory and cut into its header line and
// its body of data lines.
type csvFile struct {
	path   string
	header []byte // the first line, without its line end
	body   []byte // the lines after the header, trailing line ends removed
}

// cutCSV cuts data, the contents of the CSV file at path, into header and
// body. It fails on an empty file and on a file without data rows.
func cutCSV(path string, data []byte) (csvFile, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.Trim(data, "\r\n")) == 0 {
		return csvFile{}, fileError(path, errors.New("empty file"))
	}
	f := csvFile{path: path, header: data}
	if bytes.IndexByte(data, '\n') < 0 {
		if crs := bytes.Count(bytes.TrimRight(data, "\r"), []byte{'\r'}); crs > 0 {
			return csvFile{}, fileError(path, fmt.Errorf("lines end with a carriage return only (old Mac line ends): "+
				"%d CR characters and no line feed; convert them to \"\\n\", e.g. with tr '\\r' '\\n'", crs))
		}
	}
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		f.header, f.body = data[:i], data[i+1:]
	}
	f.header = bytes.TrimSuffix(f.header, []byte{'\r'})
	f.body = bytes.TrimRight(f.body, "\r\n")
	if len(f.body) == 0 {
		return csvFile{}, fileError(path, errors.New("no data rows after the header line"))
	}
	return f, nil
}

// chunk is a run of whole lines of a CSV body.
type chunk struct {
	data []byte // the lines, without the line end of the last one
	row0 int    // the 0-based data row of the first line
}

// lines is a CSV body cut into chunks for parallel parsing.
type lines struct {
	chunks []chunk
	n      int // number of lines in all
}

// minChunk is the smallest body worth cutting into several chunks.
const minChunk = 256 << 10

// defaultParts returns how many chunks to cut a body of size bytes into.
func defaultParts(size int) int {
	return max(1, min(4*runtime.GOMAXPROCS(0), size/minChunk))
}

// cutLines cuts body into at most parts chunks, each ending at a line
// boundary, and counts their lines in parallel.
func cutLines(body []byte, parts int) lines {
	parts = max(parts, 1)
	var cs []chunk
	start := 0
	for p := 1; p <= parts; p++ {
		end := len(body)
		if p < parts {
			target := max(len(body)*p/parts, start)
			if i := bytes.IndexByte(body[target:], '\n'); i >= 0 {
				end = target + i
			}
		}
		cs = append(cs, chunk{data: body[start:end]})
		if end == len(body) {
			break
		}
		start = end + 1
	}
	counts := make([]int, len(cs))
	parallel(len(cs), func(i int) {
		counts[i] = bytes.Count(cs[i].data, []byte{'\n'}) + 1
	})
	n := 0
	for i := range cs {
		cs[i].row0 = n
		n += counts[i]
	}
	return lines{chunks: cs, n: n}
}

// each calls fn for every line of ls, in parallel across chunks, with the
// line's 0-based data row and its bytes without line end. It returns the
// error of the first failing line in file order, as a FormatError at line
// firstLine+row of path.
func (ls lines) each(path string, firstLine int, fn func(row int, line []byte) error) error {
	errs := make([]error, len(ls.chunks))
	parallel(len(ls.chunks), func(i int) {
		c := ls.chunks[i]
		data, row := c.data, c.row0
		for {
			line := data
			nl := bytes.IndexByte(data, '\n')
			if nl >= 0 {
				line = data[:nl]
			}
			if err := fn(row, bytes.TrimSuffix(line, []byte{'\r'})); err != nil {
				errs[i] = lineError(path, firstLine+row, err)
				return
			}
			if nl < 0 {
				return
			}
			data, row = data[nl+1:], row+1
		}
	})
	return firstNonNil(errs)
}

// firstNonNil returns the first non-nil error of errs, or nil.
func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parallel calls fn(0..n-1) on up to GOMAXPROCS goroutines and waits.
func parallel(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// parallelRange cuts 0..n-1 into ranges and calls fn(lo, hi) for each, on
// up to GOMAXPROCS goroutines.
func parallelRange(n int, fn func(lo, hi int)) {
	parts := max(1, min(4*runtime.GOMAXPROCS(0), n/(1<<16)))
	parallel(parts, func(p int) {
		fn(n*p/parts, n*(p+1)/parts)
	})
}
