// Command candor runs Candor: the server, importers, the log's tools and more.
package main

import (
	"context"
	"os"

	"github.com/candor-observatory/candor/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin}))
}
