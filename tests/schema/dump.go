// Package schema holds the committed dump of the database schema that the
// migrations of sql/ produce (schema.sql: every table, index, constraint,
// domain and seeded registry's shape in one file) and the test that fails
// when the migrations drift from it. Regenerate it with `just schema-dump`.
package schema

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// CodeSchemas belong to the code packages (functions/, triggers/), which
// are reinstalled whole: they are not part of the migrated schema.
var CodeSchemas = []string{"api", "bot", "auth", "analytics", "demo", "triggers"}

// Dump is pg_dump --schema-only of the database at url, without the code
// packages' schemas, owners or version banners: the same text for the same
// schema, whoever migrated it and with whichever pg_dump 15+.
func Dump(url string) (string, error) {
	args := []string{"--schema-only", "--no-owner"}
	for _, s := range CodeSchemas {
		args = append(args, "--exclude-schema="+s)
	}
	args = append(args, "--dbname="+url)
	var out, errb bytes.Buffer
	cmd := exec.Command("pg_dump", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("pg_dump: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	return Normalise(out.String()), nil
}

// Normalise drops what differs between two dumps of one schema: the
// version banners, pg_dump's per-run \restrict keys, and runs of blank
// lines.
func Normalise(dump string) string {
	var b strings.Builder
	blank := 0
	for _, l := range strings.Split(dump, "\n") {
		switch {
		case strings.HasPrefix(l, "-- Dumped from database version"),
			strings.HasPrefix(l, "-- Dumped by pg_dump version"),
			strings.HasPrefix(l, `\restrict `), strings.HasPrefix(l, `\unrestrict `):
			continue
		}
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
