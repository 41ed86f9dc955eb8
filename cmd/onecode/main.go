// Command onecode is the one binary of the OneCode campus payment switch.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `onecode — the campus payment switch (一码通)

Usage:
  onecode serve [flags]        run a switch member (REST :8080, gRPC :9090)
  onecode card  id|qr|open|sheet   personal ID codes, card QR codes and class sheets
  onecode keys  init|rotate    card keyrings (envelope encryption)
  onecode labels --in dishes.csv --out labels.pdf
                               printable Code 128 dish labels
  onecode pos --terminal ID [--addr host:port] [--secret-file f]
                               a cashier's terminal: scanner lines on stdin
  onecode loadgen [--compare-rowlock] [--duration 20s] [--rate N]
                               load run against a fresh local switch (or --target)
  onecode aggregator-sandbox --keys DIR [--addr 127.0.0.1:8090]
                               a sandbox payment aggregator (--init-keys DIR makes keys)
  onecode push-sandbox [--addr 127.0.0.1:8091] [--receipt-url URL] [fault flags]
                               a sandbox SMS gateway and WeChat API with an inbox page
  onecode reconcile --day YYYY-MM-DD [--school ID] [--config F]
                               a provider's daily statement against our orders and refunds
  onecode version              print the version

Run "onecode <command> -h" for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "card":
		return runCard(args[1:], stdout, stderr)
	case "keys":
		return runKeys(args[1:], stdout, stderr)
	case "pos":
		return runPOS(args[1:], os.Stdin, stdout, stderr)
	case "labels":
		return runLabels(args[1:], stdout, stderr)
	case "loadgen":
		return runLoadgen(args[1:], stdout, stderr)
	case "aggregator-sandbox":
		return runSandbox(args[1:], stdout, stderr)
	case "push-sandbox":
		return runPushSandbox(args[1:], stdout, stderr)
	case "reconcile":
		return runReconcile(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "onecode: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
