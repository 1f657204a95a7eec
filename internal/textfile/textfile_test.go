package textfile

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	tests := []struct {
		name, content string
		lines         []string
		err           string // of the call after the lines; "" = io.EOF
	}{
		{"plain", "h\n1\n2\n", []string{"h", "1", "2"}, ""},
		{"CRLF", "h\r\n1\r\n", []string{"h", "1"}, ""},
		{"truncated", "h\n1\n2", []string{"h", "1"}, "f.csv line 3: no newline at the end of the file (truncated?)"},
		{"empty line", "h\n\n1\n", []string{"h"}, "f.csv line 2: empty line"},
		{"long line", "h\n" + strings.Repeat("x", 1<<17) + "\n", []string{"h", strings.Repeat("x", 1<<17)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.content), "f.csv")
			for i, want := range tt.lines {
				got, err := r.Next()
				if err != nil || string(got) != want || r.Line() != i+1 {
					t.Fatalf("line %d: %.20q, %v; want %.20q", i+1, got, err, want)
				}
			}
			_, err := r.Next()
			if tt.err == "" && !errors.Is(err, io.EOF) || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
	if _, err := NewReader(strings.NewReader(""), "f.csv").Header(); err == nil || !strings.Contains(err.Error(), "f.csv: empty file") {
		t.Errorf("empty file: %v", err)
	}
}

func TestDecodeJSON(t *testing.T) {
	var v struct{ A int }
	for in, want := range map[string]string{`{"A":1}`: "", `{"A":1} 2`: "data after the value", `{"A":`: "corrupt JSON"} {
		err := DecodeJSON("f.json", []byte(in), &v)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), "f.json: "+"corrupt JSON") || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: err = %v, want %q", in, err, want)
		}
	}
}

func TestFinite(t *testing.T) {
	r := NewReader(strings.NewReader("x,y\n1.5,NaN\n"), "f.csv")
	if _, err := r.Header(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field string
		want  float64
		err   string
	}{
		{"1.5", 1.5, ""},
		{"-2e3", -2000, ""},
		{"NaN", 0, `f.csv line 2, column y: "NaN" is not a finite number`},
		{"+Inf", 0, `f.csv line 2, column y: "+Inf" is not a finite number`},
		{"1e999", 0, `f.csv line 2, column y: "1e999" is not a finite number`},
		{"", 0, `f.csv line 2, column y: "" is not a finite number`},
		{"1,2", 0, `f.csv line 2, column y: "1,2" is not a finite number`},
	}
	for _, tt := range tests {
		v, err := r.Finite([]byte(tt.field), 1, []string{"x", "y"})
		switch {
		case tt.err == "" && (err != nil || v != tt.want):
			t.Errorf("Finite(%q) = %v, %v; want %v", tt.field, v, err, tt.want)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("Finite(%q): error %v, want %q", tt.field, err, tt.err)
		}
	}
	// Without names, the column is numbered from 1.
	if _, err := r.Finite([]byte("x"), 1, nil); err == nil || !strings.Contains(err.Error(), "line 2, column 2:") {
		t.Errorf("unnamed column: %v", err)
	}
}
