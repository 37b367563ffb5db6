package rowcodec

import (
	"encoding/binary"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"portalsdb/types"
)

// TestGeneratedChunks round-trips generated chunks, tells them apart from
// change chunks, and refuses damaged ones and decoding one as rows.
func TestGeneratedChunks(t *testing.T) {
	for _, g := range []GeneratedChunk{{Stream: 1, From: 0, Count: 1}, {Stream: 1<<40 + 7, From: 1<<40 + 3, Count: 1 << 20}} {
		chunk := AppendGeneratedChunk(nil, g)
		if len(chunk) > 1+3*binary.MaxVarintLen64 {
			t.Errorf("%+v takes %d bytes", g, len(chunk))
		}
		got, ok, err := ParseGeneratedChunk(chunk)
		if err != nil || !ok || got != g {
			t.Errorf("%+v read back as %+v, %v, %v", g, got, ok, err)
		}
		if n, err := ChunkLen(chunk); err != nil || n != g.Count {
			t.Errorf("ChunkLen of %+v = %d, %v", g, n, err)
		}
		for cut := 1; cut < len(chunk); cut++ {
			if _, ok, err := ParseGeneratedChunk(chunk[:cut]); !ok || err == nil {
				t.Errorf("%+v cut to %d bytes: ok %v, err %v", g, cut, ok, err)
			}
		}
		if _, _, err := ParseGeneratedChunk(append(chunk, 0)); err == nil {
			t.Errorf("%+v with a trailing byte parsed", g)
		}
	}
	if _, _, err := ParseGeneratedChunk(AppendGeneratedChunk(nil, GeneratedChunk{Stream: 1})); err == nil {
		t.Error("a generated chunk of no events parsed")
	}

	ts := []types.T{types.Int8Type, types.TextType}
	codec, err := NewChangeCodec(ts)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]types.Datum{{int64(1), "a"}, {nil, "b"}}
	chunks, err := codec.Encode(nil, rows, []int8{1, -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ParseGeneratedChunk(chunks[0]); ok || err != nil {
		t.Errorf("a change chunk parsed as generated: %v, %v", ok, err)
	}
	builders := []array.Builder{array.NewBuilder(types.Allocator, ts[0].ArrowType()), array.NewBuilder(types.Allocator, ts[1].ArrowType())}
	dec, err := codec.Decoder(builders)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeChunk(dec, AppendGeneratedChunk(nil, GeneratedChunk{Stream: 9, From: 0, Count: 5}), nil); err == nil {
		t.Error("DecodeChunk decoded a generated chunk as rows")
	}
	diffs, err := DecodeChunk(dec, chunks[0], nil)
	if err != nil || len(diffs) != 2 || diffs[0] != 1 || diffs[1] != -1 {
		t.Errorf("change chunk: diffs %v, %v", diffs, err)
	}
}
