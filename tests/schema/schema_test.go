package schema

import (
	"os"
	"strings"
	"testing"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// The migrations of sql/ produce exactly the schema committed in
// schema.sql: a change to a table without its dump (or the reverse) fails
// here, so schema.sql always shows every table as it stands.
func TestMigrationsProduceTheCommittedSchema(t *testing.T) {
	want, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatalf("read the committed dump: %v", err)
	}
	got, err := Dump(testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	i := 0
	for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
		i++
	}
	show := func(ls []string) string {
		return strings.Join(ls[i:min(len(ls), i+8)], "\n")
	}
	t.Fatalf("tests/schema/schema.sql is not the schema the migrations produce: run `just schema-dump` and commit it.\n"+
		"First difference at line %d.\nmigrations give:\n%s\n\nschema.sql has:\n%s", i+1, show(gl), show(wl))
}

// Normalise removes the banners and per-run keys of pg_dump, so two dumps
// of one schema compare equal.
func TestNormaliseDropsBannersAndRestrictKeys(t *testing.T) {
	in := "--\n-- Dumped from database version 15.20\n-- Dumped by pg_dump version 15.20\n\\restrict abc\n\n\n\nCREATE TABLE x ();\n\\unrestrict abc\n"
	if got, want := Normalise(in), "--\n\nCREATE TABLE x ();\n"; got != want {
		t.Fatalf("Normalise = %q, want %q", got, want)
	}
}
