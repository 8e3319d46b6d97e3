package config

import (
	"os"
	"strings"
)

// Setup is what `go run ./gobridge/cmd/setup` reads from the environment
// (the bridge's only other reader of it is FromEnv).
type Setup struct {
	GoRoot string // GOROOT: the Go that runs setup; its bin goes on PATH for just's recipes
	PGBin  string // PG_BIN: a folder holding initdb and pg_ctl (as the justfile's _pg-bin takes it)
	Path   string // PATH
}

// SetupFromEnv reads Setup.
func SetupFromEnv() Setup {
	return Setup{
		GoRoot: strings.TrimSpace(os.Getenv("GOROOT")),
		PGBin:  strings.TrimSpace(os.Getenv("PG_BIN")),
		Path:   os.Getenv("PATH"),
	}
}
