// Package tboard writes and reads TensorBoard logs in pure Go: event files
// (TFRecord framing with masked CRC-32C around tensorflow.Event protos, the
// types generated in graft) holding scalar summaries, and the Embedding
// Projector's files (projector_config.pbtxt, the tensor and metadata as TSV,
// the sprite image). It knows nothing of models or training: tfrunner calls it.
package tboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// castagnoli is the CRC-32C table TFRecord uses.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's masked CRC-32C of data.
func maskedCRC(data []byte) uint32 {
	c := crc32.Checksum(data, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// appendRecord frames data as one TFRecord: little-endian uint64 length,
// masked CRC of the length, data, masked CRC of the data.
func appendRecord(dst, data []byte) []byte {
	var head [12]byte
	binary.LittleEndian.PutUint64(head[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(head[8:], maskedCRC(head[:8]))
	dst = append(dst, head[:]...)
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, maskedCRC(data))
}

// errTorn marks a record cut short at the end of a file, as a killed writer
// leaves it.
var errTorn = errors.New("record cut short")

// maxRecord bounds one record's length, so a corrupt length cannot ask for
// gigabytes.
const maxRecord = 1 << 30

// splitRecords returns the records of a TFRecord file's content and the
// length of its valid prefix. A record cut short at the end gives errTorn
// (with the records before it); a checksum mismatch gives an error naming
// the byte offset.
func splitRecords(data []byte) (records [][]byte, valid int, err error) {
	off := 0
	for off < len(data) {
		if len(data)-off < 12 {
			return records, off, errTorn
		}
		head := data[off : off+12]
		if maskedCRC(head[:8]) != binary.LittleEndian.Uint32(head[8:]) {
			return records, off, fmt.Errorf("offset %d: record length checksum mismatch", off)
		}
		n := binary.LittleEndian.Uint64(head[:8])
		if n > maxRecord {
			return records, off, fmt.Errorf("offset %d: record length %d too large", off, n)
		}
		end := off + 12 + int(n) + 4
		if end > len(data) {
			return records, off, errTorn
		}
		body := data[off+12 : off+12+int(n)]
		if maskedCRC(body) != binary.LittleEndian.Uint32(data[end-4:end]) {
			return records, off, fmt.Errorf("offset %d: record data checksum mismatch", off)
		}
		records = append(records, body)
		off = end
	}
	return records, off, nil
}

// writeRecord writes one framed record with a single Write call.
func writeRecord(w io.Writer, data []byte) error {
	_, err := w.Write(appendRecord(nil, data))
	return err
}
