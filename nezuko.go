// Package nezuko carries the project's SQL into the binary: the migrations
// of sql/ and the code packages functions/ and triggers/. It exists at the
// module root because //go:embed cannot reach upward from gobridge/.
package nezuko

import (
	"embed"
	"io/fs"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

//go:embed all:functions
var functionFiles embed.FS

//go:embed all:triggers
var triggerFiles embed.FS

// Migrations holds the numbered tern migrations (001_*.sql ...) at its root.
func Migrations() fs.FS { return sub(sqlFiles, "sql") }

// Functions is the functions code package (install.sql at its root).
func Functions() fs.FS { return sub(functionFiles, "functions") }

// Triggers is the triggers code package (install.sql at its root).
func Triggers() fs.FS { return sub(triggerFiles, "triggers") }

func sub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant embedded above
	}
	return s
}
