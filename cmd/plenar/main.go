// Command plenar is Plenar's single binary: serve, migrate, demo, user,
// version. See README.md.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println("plenar", version)
		return
	}
	fmt.Fprintln(os.Stderr, "usage: plenar <serve|migrate|demo|user|version>")
	os.Exit(2)
}
