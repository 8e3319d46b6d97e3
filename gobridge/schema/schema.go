// Package schema brings a database up to the schema this binary carries:
// the numbered migrations of sql/, then the code packages functions/ and
// triggers/, each installed whole in one transaction when its content changed.
package schema

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/nezuko-bot/nezuko"
)

// VersionTable is where tern records the applied migration number.
const VersionTable = "nezuko.schema_version"

// Package is one SQL code package.
type Package struct {
	Name string
	FS   fs.FS
}

// Packages are installed in this order: triggers may use functions.
func Packages() []Package {
	return []Package{
		{Name: "functions", FS: nezuko.Functions()},
		{Name: "triggers", FS: nezuko.Triggers()},
	}
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
	names, err := migrate.FindMigrations(nezuko.Migrations())
	if err != nil {
		return 0, fmt.Errorf("read embedded migrations: %w", err)
	}
	return len(names), nil
}

// Migrate applies pending migrations and (re)installs code packages whose
// content differs from the installed one, or all of them with force.
func Migrate(ctx context.Context, conn *pgx.Conn, force bool) (*Report, error) {
	// The version table lives in schema nezuko, which migration 001 creates;
	// tern creates its table before running anything.
	if _, err := conn.Exec(ctx, "create schema if not exists nezuko"); err != nil {
		return nil, fmt.Errorf("create schema nezuko: %w", err)
	}
	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return nil, fmt.Errorf("prepare migrator: %w", err)
	}
	if err := m.LoadMigrations(nezuko.Migrations()); err != nil {
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
	for _, p := range Packages() {
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
	cp, err := migrate.LoadCodePackage(p.FS)
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
	if err := migrate.InstallCodePackage(ctx, conn, map[string]any{"sha256": hash}, cp); err != nil {
		return false, fmt.Errorf("install code package %s: %w", p.Name, describe(err))
	}
	return true, nil
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
	var mpe migrate.MigrationPgError
	if errors.As(err, &mpe) && mpe.PgError != nil {
		msg := fmt.Sprintf("%s (SQLSTATE %s)", mpe.PgError.Message, mpe.PgError.Code)
		if mpe.PgError.Position > 0 && mpe.Sql != "" {
			if ex, e := migrate.ExtractErrorLine(mpe.Sql, int(mpe.PgError.Position)); e == nil {
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
