// Command schemadump prints the normalised schema dump of a migrated
// database (tests/schema.Dump): `just schema-dump` writes it to
// tests/schema/schema.sql.
package main

import (
	"fmt"
	"os"

	"github.com/nezuko-bot/nezuko/tests/schema"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: schemadump DATABASE_URL")
		os.Exit(2)
	}
	out, err := schema.Dump(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemadump:", err)
		os.Exit(1)
	}
	fmt.Print(out)
}
