// Package migrate brings a database up to the schema this binary carries:
// the numbered migrations of sql/, then the code packages functions/ and
// triggers/, each installed whole in one transaction when its content changed.
package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	tern "github.com/jackc/tern/v2/migrate"

	"github.com/nezuko-bot/nezuko"
	"github.com/nezuko-bot/nezuko/gobridge/backoff"
)

// VersionTable is where tern records the applied migration number.
const VersionTable = "nezuko.schema_version"

// Package is one SQL code package.
type Package struct {
	Name string
	FS   fs.FS
}

// Packages are installed in this order: triggers may use functions.
func Packages() []Package { return Embedded().Packages() }

// Source is where the SQL comes from: the copy embedded in the binary, or
// a checkout on disk (`nezuko migrate --dir`), so a DBA's edit goes live
// without rebuilding Go.
type Source struct {
	Migrations fs.FS // NNN_name.sql at its root
	Functions  fs.FS // install.sql at its root
	Triggers   fs.FS
}

// Embedded is the SQL this binary carries.
func Embedded() Source {
	return Source{Migrations: nezuko.Migrations(), Functions: nezuko.Functions(), Triggers: nezuko.Triggers()}
}

// Dir is the SQL of a checkout: dir/sql, dir/functions, dir/triggers.
func Dir(dir string) (Source, error) {
	for _, need := range []string{"sql", "functions/install.sql", "triggers/install.sql"} {
		if _, err := os.Stat(filepath.Join(dir, need)); err != nil {
			return Source{}, fmt.Errorf("%s is not a Nezuko checkout: %s is missing", dir, need)
		}
	}
	return Source{
		Migrations: os.DirFS(filepath.Join(dir, "sql")),
		Functions:  os.DirFS(filepath.Join(dir, "functions")),
		Triggers:   os.DirFS(filepath.Join(dir, "triggers")),
	}, nil
}

// Packages are the source's code packages in install order.
func (s Source) Packages() []Package {
	return []Package{{Name: "functions", FS: s.Functions}, {Name: "triggers", FS: s.Triggers}}
}

// Report says what Migrate did.
type Report struct {
	FromVersion, ToVersion int32
	Applied                []string // migration names run by this call
	Installed              []string // code packages installed by this call
	UpToDate               []string // code packages skipped, identical to what is installed
}

// MigrationCount is the number of migrations this binary carries.
func MigrationCount() (int, error) {
	names, err := tern.FindMigrations(nezuko.Migrations())
	if err != nil {
		return 0, fmt.Errorf("read embedded migrations: %w", err)
	}
	return len(names), nil
}

// Migrate applies the embedded migrations and code packages (see MigrateFrom).
func Migrate(ctx context.Context, conn *pgx.Conn, force bool) (*Report, error) {
	return MigrateFrom(ctx, conn, Embedded(), force)
}

// MigrateFrom applies pending migrations and (re)installs code packages
// whose content differs from the installed one, or all of them with force.
func MigrateFrom(ctx context.Context, conn *pgx.Conn, src Source, force bool) (*Report, error) {
	// The version table lives in schema nezuko, which migration 001 creates;
	// tern creates its table before running anything.
	if _, err := conn.Exec(ctx, "create schema if not exists nezuko"); err != nil {
		return nil, fmt.Errorf("create schema nezuko: %w", err)
	}
	m, err := tern.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return nil, fmt.Errorf("prepare migrator: %w", err)
	}
	if err := m.LoadMigrations(src.Migrations); err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	rep := &Report{}
	if rep.FromVersion, err = m.GetCurrentVersion(ctx); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	m.OnStart = func(seq int32, name, _, _ string) {
		rep.Applied = append(rep.Applied, name)
	}
	if err := m.Migrate(ctx); err != nil {
		return rep, fmt.Errorf("migrate: %w", describe(err))
	}
	if rep.ToVersion, err = m.GetCurrentVersion(ctx); err != nil {
		return rep, fmt.Errorf("read schema version: %w", err)
	}
	for _, p := range src.Packages() {
		installed, err := installPackage(ctx, conn, p, force)
		if err != nil {
			return rep, err
		}
		if installed {
			rep.Installed = append(rep.Installed, p.Name)
		} else {
			rep.UpToDate = append(rep.UpToDate, p.Name)
		}
	}
	return rep, nil
}

// InstallPackages reinstalls every code package unconditionally. Data in
// the tables is untouched.
func InstallPackages(ctx context.Context, conn *pgx.Conn) error {
	for _, p := range Packages() {
		if _, err := installPackage(ctx, conn, p, true); err != nil {
			return err
		}
	}
	return nil
}

func installPackage(ctx context.Context, conn *pgx.Conn, p Package, force bool) (bool, error) {
	marked, err := markFiles(p)
	if err != nil {
		return false, err
	}
	cp, err := tern.LoadCodePackage(marked)
	if err != nil {
		return false, fmt.Errorf("load code package %s: %w", p.Name, err)
	}
	// The hash covers the evaluated SQL; it is then handed to the template
	// so install.sql records it in the same transaction as the install.
	src, err := cp.Eval(map[string]any{"sha256": ""})
	if err != nil {
		return false, fmt.Errorf("evaluate code package %s: %w", p.Name, err)
	}
	sum := sha256.Sum256([]byte(src))
	hash := hex.EncodeToString(sum[:])
	if !force {
		var current string
		err := conn.QueryRow(ctx, "select sha256 from nezuko.code_packages where name = $1", p.Name).Scan(&current)
		if err == nil && current == hash {
			return false, nil
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return false, fmt.Errorf("read installed code package %s: %w", p.Name, err)
		}
	}
	// The install takes locks on tables (CREATE TRIGGER) while requests
	// hold theirs, in another order: a deadlock kills the side whose
	// deadlock_timeout ends first. With a long one here (superuser only;
	// otherwise ignored) that is always the request, which the API retries;
	// when it is the install anyway, the install runs again.
	if _, err := conn.Exec(ctx, "set deadlock_timeout = '20s'"); err == nil {
		defer conn.Exec(context.WithoutCancel(ctx), "reset deadlock_timeout")
	}
	// Requests queue behind a lock the install waits for: it gives up a
	// lock it cannot get within lock_timeout (55P03), releases what it
	// holds, and tries again, so no request waits long behind it.
	if _, err := conn.Exec(ctx, "set lock_timeout = '300ms'"); err == nil {
		defer conn.Exec(context.WithoutCancel(ctx), "reset lock_timeout")
	}
	// Full jitter (as the uniform wait it replaced): requests keep taking
	// the same locks, and a short wait between attempts stays likely.
	// Attempts go on for a time, not a count: under a steady stream of
	// requests an install needed 5-7 s of attempts here, and 30 attempts
	// (about half a minute) ran out in CI once while other tests loaded the
	// machine.
	retry := backoff.Backoff{First: 50 * time.Millisecond, Max: time.Second, Full: true}
	const installBudget = 2 * time.Minute
	started := time.Now()
	for {
		err = tern.InstallCodePackage(ctx, conn, map[string]any{"sha256": hash}, cp)
		if code := sqlstate(err); err != nil && time.Since(started) < installBudget && (code == "40P01" || code == "40001" || code == "55P03") && ctx.Err() == nil {
			backoff.Sleep(ctx, retry.Next())
			continue
		}
		break
	}
	if err != nil {
		return false, fmt.Errorf("install code package %s: %w", p.Name, describePackage(err, p.Name))
	}
	return true, nil
}

// sqlstate is the SQLSTATE of a database error, tern's wrapping included.
func sqlstate(err error) string {
	var mpe tern.MigrationPgError
	if errors.As(err, &mpe) && mpe.PgError != nil {
		return mpe.PgError.Code
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// templateRef finds the files a template pulls in.
var templateRef = regexp.MustCompile(`\{\{-?\s*template\s+"([^"]+)"`)

// Markers around each file in the rendered SQL, so an error's line maps
// back to the file the DBA edited.
const (
	fileStart = "--<nezuko file "
	fileEnd   = "--</nezuko file>"
)

// markFiles reads a code package into memory, checks that install.sql
// (or a file it includes) pulls in every .sql file — a file nobody
// includes would silently never be installed — and wraps each included
// file in markers.
func markFiles(p Package) (fs.FS, error) {
	out := fstest.MapFS{}
	refs := map[string]bool{}
	var files []string
	err := fs.WalkDir(p.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		body, err := fs.ReadFile(p.FS, path)
		if err != nil {
			return err
		}
		for _, m := range templateRef.FindAllStringSubmatch(string(body), -1) {
			refs[m[1]] = true
		}
		if path != "install.sql" {
			files = append(files, path)
			text := string(body)
			if !strings.HasSuffix(text, "\n") {
				text += "\n"
			}
			body = []byte(fileStart + path + ">\n" + text + fileEnd)
		}
		out[path] = &fstest.MapFile{Data: body}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read code package %s: %w", p.Name, err)
	}
	sort.Strings(files)
	for _, f := range files {
		if !refs[f] {
			return nil, fmt.Errorf("code package %s: %s/%s is not installed: add the line {{ template %q . }} to %s/install.sql (in its block, after what it uses)",
				p.Name, p.Name, f, f, p.Name)
		}
	}
	if out["install.sql"] == nil {
		return nil, fmt.Errorf("code package %s: install.sql not found", p.Name)
	}
	return out, nil
}

// sourceLine maps a line of the rendered package SQL to the file and line
// the DBA wrote: "api/x.sql", 12; or "install.sql", n outside every file.
func sourceLine(rendered string, line int) (string, int) {
	type open struct {
		file  string
		start int // rendered line of the file's first line
	}
	var stack []open
	installLine := 0
	for i, l := range strings.Split(rendered, "\n") {
		n := i + 1
		switch {
		case strings.HasPrefix(l, fileStart):
			if len(stack) == 0 {
				installLine++ // the {{ template }} line of install.sql
			}
			stack = append(stack, open{strings.TrimSuffix(strings.TrimPrefix(l, fileStart), ">"), n + 1})
		case strings.HasPrefix(l, fileEnd):
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		default:
			if len(stack) == 0 {
				installLine++
			}
		}
		if n == line {
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				return top.file, n - top.start + 1
			}
			return "install.sql", installLine
		}
	}
	return "install.sql", installLine
}

// describePackage names the source file and line of an install error.
func describePackage(err error, pkg string) error {
	var mpe tern.MigrationPgError
	if !errors.As(err, &mpe) || mpe.PgError == nil {
		return err
	}
	pg := mpe.PgError
	msg := fmt.Sprintf("%s (SQLSTATE %s)", pg.Message, pg.Code)
	if pg.Position > 0 && mpe.Sql != "" {
		if ex, e := tern.ExtractErrorLine(mpe.Sql, int(pg.Position)); e == nil {
			file, line := sourceLine(mpe.Sql, ex.LineNum)
			msg = fmt.Sprintf("%s/%s:%d: %s: %s", pkg, file, line, msg, strings.TrimSpace(ex.Text))
		}
	} else if pg.Where != "" {
		msg += " (" + strings.ReplaceAll(pg.Where, "\n", "; ") + ")"
	}
	if pg.Detail != "" {
		msg += "; " + pg.Detail
	}
	return &sqlError{msg: msg, err: pg}
}

// Status is what /readyz needs to know about the schema.
type Status struct {
	Version, Want int32
	Packages      map[string]bool // installed at all
}

// Behind says why the database cannot serve this binary, or "".
func (s Status) Behind() string {
	if s.Version < s.Want {
		return fmt.Sprintf("schema is at migration %d of %d: run nezuko migrate", s.Version, s.Want)
	}
	for _, p := range Packages() {
		if !s.Packages[p.Name] {
			return fmt.Sprintf("code package %s is not installed: run nezuko migrate", p.Name)
		}
	}
	return ""
}

// Querier is the part of pgx a status check needs (a pool or a connection).
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// ReadStatus reads the applied migration number and installed packages.
func ReadStatus(ctx context.Context, q Querier) (Status, error) {
	want, err := MigrationCount()
	if err != nil {
		return Status{}, err
	}
	st := Status{Want: int32(want), Packages: map[string]bool{}}
	var exists bool
	if err := q.QueryRow(ctx, "select to_regclass($1) is not null", VersionTable).Scan(&exists); err != nil {
		return st, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return st, nil
	}
	if err := q.QueryRow(ctx, "select version from "+VersionTable).Scan(&st.Version); err != nil {
		return st, fmt.Errorf("read schema version: %w", err)
	}
	var hasPackages bool
	if err := q.QueryRow(ctx, "select to_regclass('nezuko.code_packages') is not null").Scan(&hasPackages); err != nil || !hasPackages {
		return st, err
	}
	rows, err := q.Query(ctx, "select name from nezuko.code_packages")
	if err != nil {
		return st, fmt.Errorf("read code packages: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return st, fmt.Errorf("read code packages: %w", err)
	}
	for _, n := range names {
		st.Packages[n] = true
	}
	return st, nil
}

// describe turns tern's error (which embeds the whole SQL) into one that
// names the failing line.
func describe(err error) error {
	var mpe tern.MigrationPgError
	if errors.As(err, &mpe) && mpe.PgError != nil {
		msg := fmt.Sprintf("%s (SQLSTATE %s)", mpe.PgError.Message, mpe.PgError.Code)
		if mpe.PgError.Position > 0 && mpe.Sql != "" {
			if ex, e := tern.ExtractErrorLine(mpe.Sql, int(mpe.PgError.Position)); e == nil {
				msg += fmt.Sprintf(" at line %d: %s", ex.LineNum, ex.Text)
			}
		}
		if mpe.PgError.Detail != "" {
			msg += "; " + mpe.PgError.Detail
		}
		if mpe.MigrationName != "" {
			msg = mpe.MigrationName + ": " + msg
		}
		return &sqlError{msg: msg, err: mpe.PgError}
	}
	return err
}

// sqlError is a database error described for a person; errors.As still
// finds the *pgconn.PgError behind it.
type sqlError struct {
	msg string
	err error
}

func (e *sqlError) Error() string { return e.msg }
func (e *sqlError) Unwrap() error { return e.err }
