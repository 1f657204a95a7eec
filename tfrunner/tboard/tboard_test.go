package tboard

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMaskedCRC(t *testing.T) {
	for _, tc := range []struct {
		data []byte
		crc  uint32 // CRC-32C (RFC 3720 check values)
	}{
		{nil, 0},
		{[]byte("123456789"), 0xe3069283},
		{make([]byte, 32), 0x8a9136aa},
	} {
		want := ((tc.crc >> 15) | (tc.crc << 17)) + 0xa282ead8
		if got := maskedCRC(tc.data); got != want {
			t.Errorf("maskedCRC(%q) = %#x, want %#x", tc.data, got, want)
		}
	}
}

func TestRecords(t *testing.T) {
	var file []byte
	for _, r := range []string{"a", "", "hello, world"} {
		file = appendRecord(file, []byte(r))
	}
	got, valid, err := splitRecords(file)
	if err != nil || valid != len(file) || len(got) != 3 || string(got[2]) != "hello, world" {
		t.Fatalf("splitRecords: %q, %d of %d bytes, %v", got, valid, len(file), err)
	}
	second := 12 + 1 + 4 // where the second record starts
	flip := func(i int) []byte {
		b := bytes.Clone(file)
		b[i] ^= 1
		return b
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		records int
		valid   int
		err     string // "" none, "torn" errTorn, else a substring
	}{
		{"empty file", nil, 0, 0, ""},
		{"torn header", file[:second+5], 1, second, "torn"},
		{"torn body", file[:len(file)-2], 2, second + 16, "torn"},
		{"length checksum", flip(second + 9), 1, second, "offset 17: record length checksum mismatch"},
		{"data checksum", flip(12), 0, 0, "offset 0: record data checksum mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, valid, err := splitRecords(tc.data)
			switch {
			case tc.err == "" && err != nil, tc.err == "torn" && err != errTorn,
				tc.err != "" && tc.err != "torn" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("err = %v, want %q", err, tc.err)
			}
			if len(recs) != tc.records || valid != tc.valid {
				t.Errorf("%d records, %d valid bytes; want %d, %d", len(recs), valid, tc.records, tc.valid)
			}
		})
	}
}

func tagsSteps(s []Scalar) string {
	var out []string
	for _, v := range s {
		out = append(out, fmt.Sprintf("%s@%d=%g", v.Tag, v.Step, v.Value))
	}
	return strings.Join(out, " ")
}

func TestWriterKeepAndRepair(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Scalar{{Tag: "loss", Step: 1, Value: 0.5}, {Tag: "loss", Step: 2, Value: 0.25}} {
		if err := w.Scalar(s.Tag, s.Step, float64(s.Value)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// A kill in the middle of a write: a record cut short at the end.
	f, err := os.OpenFile(w.Path(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{9, 0, 0})
	f.Close()
	got, err := ReadScalars(dir)
	if err != nil || tagsSteps(got) != "loss@1=0.5 loss@2=0.25" {
		t.Fatalf("after a torn record: %s, %v", tagsSteps(got), err)
	}

	// Resume: the same (tag, step) is not written twice, new ones are.
	w2, err := Create(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if w2.Path() <= w.Path() {
		t.Errorf("the resumed file %s sorts before the kept %s", w2.Path(), w.Path())
	}
	w2.Scalar("loss", 2, 0.3)
	w2.Scalar("loss", 3, 0.125)
	w2.Scalar("accuracy", 2, 0.75)
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	got, err = ReadScalars(dir)
	if err != nil || tagsSteps(got) != "loss@1=0.5 loss@2=0.25 loss@3=0.125 accuracy@2=0.75" {
		t.Fatalf("after resume: %s, %v", tagsSteps(got), err)
	}
	data, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := splitRecords(data); err != nil {
		t.Errorf("the torn record was not cut off on resume: %v", err)
	}

	// A fresh run starts a new log.
	w3, err := Create(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	w3.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	got, _ = ReadScalars(dir)
	if len(files) != 1 || len(got) != 0 {
		t.Errorf("fresh log: %d files, scalars %s", len(files), tagsSteps(got))
	}
}

func TestReadScalarsErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, eventPrefix+"1.host.1.1.v2")
	// A valid record whose event lacks the file_version.
	os.WriteFile(path, appendRecord(nil, nil), 0o644)
	if _, err := ReadScalars(dir); err == nil || !strings.Contains(err.Error(), path+": first event has no file_version") {
		t.Errorf("no file_version: err = %v", err)
	}
	os.WriteFile(path, appendRecord(nil, []byte{0xff, 0xff}), 0o644)
	if _, err := ReadScalars(dir); err == nil || !strings.Contains(err.Error(), path+": event 0") {
		t.Errorf("bad protobuf: err = %v", err)
	}
	bad := appendRecord(nil, []byte("xx"))
	bad[13] ^= 1
	os.WriteFile(path, bad, 0o644)
	if _, err := ReadScalars(dir); err == nil || !strings.Contains(err.Error(), path+": offset 0: record data checksum mismatch") {
		t.Errorf("bad checksum: err = %v", err)
	}
}

func TestWriteProjector(t *testing.T) {
	dir := t.TempDir()
	e := Embedding{
		Name: "A/dense_1", Tensor: []float32{1, 2, 0.5, -1, 0, 3}, Rows: 3, Dims: 2,
		Columns:  []string{"label", "predicted"},
		Metadata: [][]string{{"Sandal", "Sandal"}, {"Trouser", "Bag"}, {"Bag", "Bag"}},
		Images:   []float32{0, 1, 1, 0, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1}, ImageH: 2, ImageW: 2,
	}
	if err := WriteProjector(dir, e); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	wantConfig := `embeddings {
  tensor_name: "A/dense_1"
  tensor_path: "projector_tensor.tsv"
  metadata_path: "metadata.tsv"
  sprite {
    image_path: "sprite.png"
    single_image_dim: 2
    single_image_dim: 2
  }
}
`
	if got := read(ProjectorConfigFile); got != wantConfig {
		t.Errorf("config:\n%s\nwant:\n%s", got, wantConfig)
	}
	if got := read(ProjectorTensorFile); got != "1\t2\n0.5\t-1\n0\t3\n" {
		t.Errorf("tensor %q", got)
	}
	if got := read(MetadataFile); got != "label\tpredicted\nSandal\tSandal\nTrouser\tBag\nBag\tBag\n" {
		t.Errorf("metadata %q", got)
	}
	img, err := png.Decode(strings.NewReader(read(SpriteFile)))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 4 || b.Dy() != 4 {
		t.Fatalf("sprite %v, want 4x4 (a 2x2 grid of 2x2 images)", b)
	}
	var grey []int
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			grey = append(grey, int(r>>8))
		}
	}
	// Dark object on a light ground: 1 -> 0, 0 -> 255, 0.5 -> 127 or 128;
	// the empty fourth tile is white.
	want := []int{255, 0, 127, 127, 0, 255, 127, 127, 0, 0, 255, 255, 0, 0, 255, 255}
	if !reflect.DeepEqual(grey, want) {
		t.Errorf("sprite pixels %v, want %v", grey, want)
	}
}

func TestWriteProjectorErrors(t *testing.T) {
	good := Embedding{Name: "x", Tensor: []float32{1, 2}, Rows: 2, Dims: 1, Columns: []string{"label"}, Metadata: [][]string{{"a"}, {"b"}}}
	for _, tc := range []struct {
		name string
		edit func(*Embedding)
		want string
	}{
		{"tensor size", func(e *Embedding) { e.Tensor = e.Tensor[:1] }, "1 values are not 2 rows of 1"},
		{"metadata rows", func(e *Embedding) { e.Metadata = e.Metadata[:1] }, "1 metadata rows, want 2"},
		{"metadata columns", func(e *Embedding) { e.Metadata[1] = []string{"b", "c"} }, "metadata row 1 has 2 values, want 1 (label)"},
		{"tab", func(e *Embedding) { e.Metadata[0] = []string{"a\tb"} }, "holds a tab or newline"},
		{"images", func(e *Embedding) { e.Images, e.ImageH, e.ImageW = []float32{1}, 2, 2 }, "1 image values are not 2 images of 2x2"},
		{"sprite size", func(e *Embedding) { e.Images, e.ImageH, e.ImageW = make([]float32, 2*9000), 9000, 1 }, "over the projector's 8192"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := good
			e.Metadata = [][]string{{"a"}, {"b"}}
			tc.edit(&e)
			err := WriteProjector(t.TempDir(), e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSpriteGrid(t *testing.T) {
	for n, want := range map[int]int{1: 1, 2: 2, 4: 2, 5: 3, 9999: 100, 10000: 100, 10001: 101} {
		if got := SpriteGrid(n); got != want {
			t.Errorf("SpriteGrid(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestResumedFileSortsLast keeps a file from another process whose name
// sorts after this second's: the new file must still come after it.
func TestResumedFileSortsLast(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	later := filepath.Join(dir, fmt.Sprintf("%s%d.zzzz.99999.9.v2", eventPrefix, time.Now().Unix()))
	if err := os.Rename(w.Path(), later); err != nil {
		t.Fatal(err)
	}
	w2, err := Create(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if w2.Path() <= later {
		t.Errorf("the resumed file %s sorts before the kept %s", filepath.Base(w2.Path()), filepath.Base(later))
	}
}

func TestGraph(t *testing.T) {
	dir := t.TempDir()
	nodes := []Node{
		{Name: "input", Op: "Placeholder", Shape: []int64{-1, 28, 28, 1}},
		{Name: "dense/kernel", Op: "VarHandleOp", Shape: []int64{784, 5}},
		{Name: "dense/MatMul", Op: "MatMul", Inputs: []string{"input", "dense/kernel"}},
	}
	w, err := Create(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Graph(nodes); err != nil {
		t.Fatal(err)
	}
	w.Close()
	got, err := ReadGraph(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(nodes) {
		t.Errorf("graph read back:\n%v\nwant\n%v", got, nodes)
	}
	// A resumed log keeps its graph and logs none again.
	w2, err := Create(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Graph(nodes[:1]); err != nil {
		t.Fatal(err)
	}
	w2.Close()
	if got, _ := ReadGraph(dir); len(got) != 3 {
		t.Errorf("after resume the graph has %d nodes, want the first graph's 3", len(got))
	}
	if got, err := ReadGraph(t.TempDir()); got != nil || err != nil {
		t.Errorf("no log: %v, %v", got, err)
	}
}
