// Command portalsdb is the portalsdb server and its tools.
//
//	portalsdb [serve] [--listen HOST:PORT] [--data DIR] ...   run the server (the default)
//	portalsdb slt [flags] FILE|DIR|GLOB...                    run sqllogictest files
//	portalsdb bench [flags]                                   run benchmarks against PostgreSQL
//	portalsdb bench nexmark [flags]                           run the Nexmark queries as workflows
//	portalsdb bench stream [flags]                            measure workflows against a Go loop and batch recompute
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	ctx := context.Background()
	var code int
	switch cmd {
	case "serve":
		code = serve(ctx, args)
	case "slt":
		code = slt(ctx, args)
	case "bench":
		if len(args) > 0 && args[0] == "nexmark" {
			code = benchNexmark(ctx, args[1:])
			break
		}
		if len(args) > 0 && args[0] == "portal" {
			code = benchPortal(ctx, args[1:])
			break
		}
		if len(args) > 0 && args[0] == "stream" {
			code = benchStream(ctx, args[1:])
			break
		}
		code = benchCmd(ctx, args)
	case "help", "-h", "--help":
		fmt.Fprintln(os.Stdout, "usage: portalsdb [serve|slt|bench] [flags]")
	default:
		fmt.Fprintf(os.Stderr, "portalsdb: unknown command %q (want serve, slt or bench)\n", cmd)
		code = 2
	}
	os.Exit(code)
}
