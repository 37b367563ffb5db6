package main

import (
	"context"
	"fmt"
	"os"
)

func bench(ctx context.Context, args []string) int {
	fmt.Fprintln(os.Stderr, "portalsdb bench: not built yet")
	return 2
}
