package types

import "github.com/apache/arrow-go/v18/arrow/memory"

// Allocator is the Arrow allocator portalsdb uses everywhere: Go's own heap,
// so that buffers are reclaimed by the garbage collector and a missed
// Release leaks nothing. It holds no state.
var Allocator memory.Allocator = memory.NewGoAllocator()
