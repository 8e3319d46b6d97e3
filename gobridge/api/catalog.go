package api

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Querier is what the catalog reader and the request path need from pgx: a
// *pgxpool.Pool, a *pgx.Conn or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Function is one function of schema api as the catalog describes it.
type Function struct {
	OID        uint32
	Name       string
	Volatile   bool // VOLATILE → POST, STABLE/IMMUTABLE → GET
	ReturnsSet bool
	ReturnType uint32
	Comment    string
	Role       string // "viewer" or "admin": the least role whose GRANT allows EXECUTE
	Inputs     []Arg  // in call order
	Outputs    []Arg  // OUT / INOUT / TABLE columns (empty: the return type says it)
}

// Arg is one argument or result column.
type Arg struct {
	Name       string
	Type       uint32
	HasDefault bool
}

// pgType is one row of pg_type with what the schema mapping needs.
type pgType struct {
	OID       uint32
	Name      string // typname
	Namespace string
	Formatted string // format_type(oid, null): what a cast names
	Kind      byte   // typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange
	Elem      uint32 // element type of an array type (0 otherwise)
	Base      uint32 // base type of a domain
	TypMod    int32  // domain's typmod (varchar(n) ...)
	NotNull   bool   // domain NOT NULL
	Comment   string
	Checks    []string // domain CHECK constraints, as SQL
	Labels    []string // enum labels in order
	Attrs     []attr   // composite attributes in order
	Table     bool     // a composite that is a table's row type: NOT NULL and CHECKs are the columns'
}

type attr struct {
	Name    string
	Type    uint32
	TypMod  int32
	NotNull bool
	Checks  string // a table column's own CHECK constraints, as SQL ("" for other composites)
}

// catalog is everything read from PostgreSQL for one build of the API.
type catalog struct {
	Functions []*Function
	Types     map[uint32]*pgType
}

const functionsSQL = `
select p.oid, p.proname, p.provolatile = 'v', p.proretset, p.prorettype,
       p.pronargdefaults,
       coalesce(p.proallargtypes, p.proargtypes::oid[]),
       coalesce(p.proargmodes::text[], array_fill('i'::text, array[p.pronargs::int])),
       coalesce(p.proargnames, '{}'),
       coalesce(obj_description(p.oid, 'pg_proc'), ''),
       has_function_privilege('nezuko_viewer', p.oid, 'execute'),
       has_function_privilege('nezuko_admin', p.oid, 'execute')
from pg_proc p
where p.pronamespace = 'api'::regnamespace and p.prokind = 'f'
order by p.proname, p.oid`

const typesSQL = `
select t.oid, t.typname, n.nspname, format_type(t.oid, null), t.typtype::text,
       case when t.typcategory = 'A' then t.typelem else 0 end,
       t.typbasetype, t.typtypmod, t.typnotnull,
       coalesce(obj_description(t.oid, 'pg_type'), ''),
       coalesce((select array_agg(pg_get_constraintdef(c.oid) order by c.conname)
                 from pg_constraint c where c.contypid = t.oid and c.contype = 'c'), '{}'),
       coalesce((select array_agg(e.enumlabel::text order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '{}'),
       coalesce((select array_agg(a.attname::text order by a.attnum) from pg_attribute a
                 where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '{}'),
       coalesce((select array_agg(a.atttypid order by a.attnum) from pg_attribute a
                 where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '{}'),
       coalesce((select array_agg(a.atttypmod order by a.attnum) from pg_attribute a
                 where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '{}'),
       coalesce((select array_agg(a.attnotnull order by a.attnum) from pg_attribute a
                 where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '{}'),
       coalesce((select array_agg(coalesce((select string_agg(pg_get_constraintdef(c.oid), ' AND ' order by c.conname)
                                            from pg_constraint c
                                            where c.conrelid = t.typrelid and c.contype = 'c' and c.conkey = array[a.attnum]), '')
                                  order by a.attnum)
                 from pg_attribute a
                 where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped), '{}'),
       coalesce((select c.relkind = 'r' from pg_class c where c.oid = t.typrelid), false)
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where t.oid = any ($1)`

// loadCatalog reads schema api. Functions that cannot be exposed (an
// overloaded name, an unnamed argument, a pseudo-type, no role may call
// it) are left out, each with one log line saying why.
func loadCatalog(ctx context.Context, q Querier, log *slog.Logger) (*catalog, error) {
	rows, err := q.Query(ctx, functionsSQL)
	if err != nil {
		return nil, fmt.Errorf("read api functions: %w", err)
	}
	var all []*Function
	for rows.Next() {
		var (
			f             Function
			ndefaults     int16
			types         []uint32
			modes, names  []string
			viewer, admin bool
		)
		if err := rows.Scan(&f.OID, &f.Name, &f.Volatile, &f.ReturnsSet, &f.ReturnType, &ndefaults,
			&types, &modes, &names, &f.Comment, &viewer, &admin); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read api functions: %w", err)
		}
		switch {
		case viewer:
			f.Role = "viewer"
		case admin:
			f.Role = "admin"
		}
		for i, t := range types {
			a := Arg{Type: t}
			if i < len(names) {
				a.Name = names[i]
			}
			switch modes[i] {
			case "i", "v":
				f.Inputs = append(f.Inputs, a)
			case "b":
				f.Inputs = append(f.Inputs, a)
				f.Outputs = append(f.Outputs, a)
			case "o", "t":
				f.Outputs = append(f.Outputs, a)
			}
			if modes[i] == "v" {
				f.Role = "variadic" // refused below
			}
		}
		for i := len(f.Inputs) - int(ndefaults); i < len(f.Inputs); i++ {
			f.Inputs[i].HasDefault = true
		}
		all = append(all, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read api functions: %w", err)
	}

	count := map[string]int{}
	for _, f := range all {
		count[f.Name]++
	}
	cat := &catalog{Types: map[uint32]*pgType{}}
	for _, f := range all {
		if count[f.Name] > 1 {
			if f == firstNamed(all, f.Name) {
				log.Error("api function refused: overloaded name (several api functions share it; rename one)", "function", "api."+f.Name, "count", count[f.Name])
			}
			continue
		}
		if why := f.refusal(); why != "" {
			log.Error("api function refused: "+why, "function", "api."+f.Name)
			continue
		}
		cat.Functions = append(cat.Functions, f)
	}

	// Load every type the functions use, then the types those refer to.
	want := map[uint32]bool{}
	for _, f := range cat.Functions {
		want[f.ReturnType] = true
		for _, a := range f.Inputs {
			want[a.Type] = true
		}
		for _, a := range f.Outputs {
			want[a.Type] = true
		}
	}
	for len(want) > 0 {
		oids := make([]uint32, 0, len(want))
		for o := range want {
			oids = append(oids, o)
		}
		want = map[uint32]bool{}
		if err := loadTypes(ctx, q, oids, cat.Types); err != nil {
			return nil, err
		}
		for _, o := range oids {
			t := cat.Types[o]
			if t == nil {
				continue
			}
			for _, ref := range append([]uint32{t.Elem, t.Base}, attrTypes(t)...) {
				if ref != 0 && cat.Types[ref] == nil {
					want[ref] = true
				}
			}
		}
	}

	// A function whose types cannot be described is refused too.
	kept := cat.Functions[:0]
	for _, f := range cat.Functions {
		if why := cat.unsupported(f); why != "" {
			log.Error("api function refused: "+why, "function", "api."+f.Name)
			continue
		}
		kept = append(kept, f)
	}
	cat.Functions = kept
	sort.Slice(cat.Functions, func(i, j int) bool { return cat.Functions[i].Name < cat.Functions[j].Name })
	return cat, nil
}

func firstNamed(all []*Function, name string) *Function {
	for _, f := range all {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func (f *Function) refusal() string {
	if f.Role == "variadic" {
		return "VARIADIC arguments are not supported (take an array instead)"
	}
	if f.Role == "" {
		return "neither nezuko_viewer nor nezuko_admin may execute it (GRANT EXECUTE to one of them)"
	}
	for i, a := range f.Inputs {
		if a.Name == "" {
			return fmt.Sprintf("argument %d has no name (the API names parameters after arguments)", i+1)
		}
	}
	return ""
}

func attrTypes(t *pgType) []uint32 {
	out := make([]uint32, len(t.Attrs))
	for i, a := range t.Attrs {
		out[i] = a.Type
	}
	return out
}

func loadTypes(ctx context.Context, q Querier, oids []uint32, into map[uint32]*pgType) error {
	rows, err := q.Query(ctx, typesSQL, oids)
	if err != nil {
		return fmt.Errorf("read api types: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			t        pgType
			kind     string
			names    []string
			types    []uint32
			mods     []int32
			notnulls []bool
			checks   []string
		)
		if err := rows.Scan(&t.OID, &t.Name, &t.Namespace, &t.Formatted, &kind, &t.Elem, &t.Base, &t.TypMod,
			&t.NotNull, &t.Comment, &t.Checks, &t.Labels, &names, &types, &mods, &notnulls, &checks, &t.Table); err != nil {
			return fmt.Errorf("read api types: %w", err)
		}
		t.Kind = kind[0]
		for i := range names {
			t.Attrs = append(t.Attrs, attr{Name: names[i], Type: types[i], TypMod: mods[i], NotNull: notnulls[i], Checks: checks[i]})
		}
		into[t.OID] = &t
	}
	return rows.Err()
}

// resolve follows domains to the underlying type.
func (c *catalog) resolve(oid uint32) *pgType {
	t := c.Types[oid]
	for t != nil && t.Kind == 'd' {
		t = c.Types[t.Base]
	}
	return t
}

// unsupported says why a function's types cannot become JSON Schemas.
func (c *catalog) unsupported(f *Function) string {
	check := func(oid uint32, what string, input bool) string {
		t := c.resolve(oid)
		if t == nil {
			return fmt.Sprintf("%s has an unknown type (oid %d)", what, oid)
		}
		if t.Elem != 0 {
			e := c.resolve(t.Elem)
			if e == nil || e.Kind == 'p' || e.Elem != 0 {
				return fmt.Sprintf("%s: arrays of %s are not supported", what, t.Formatted)
			}
			if input && e.Kind == 'c' && !c.flatComposite(e) {
				return fmt.Sprintf("%s: composite %s has nested composite or array fields", what, e.Formatted)
			}
			return ""
		}
		if t.Kind == 'p' && !(t.Name == "void" && !input) && !(t.Name == "record" && !input) {
			return fmt.Sprintf("%s has pseudo-type %s", what, t.Formatted)
		}
		return ""
	}
	for _, a := range f.Inputs {
		if why := check(a.Type, "argument "+a.Name, true); why != "" {
			return why
		}
	}
	for _, a := range f.Outputs {
		if why := check(a.Type, "result column "+a.Name, false); why != "" {
			return why
		}
	}
	if len(f.Outputs) == 0 {
		if why := check(f.ReturnType, "the result", false); why != "" {
			return why
		}
		if t := c.resolve(f.ReturnType); t != nil && t.Name == "record" && t.Kind == 'p' {
			return "it returns an anonymous record (use RETURNS TABLE, OUT parameters or a composite type)"
		}
	}
	return ""
}

// flatComposite: every field of the composite is a scalar (what
// jsonb_populate_record converts reliably from a request).
func (c *catalog) flatComposite(t *pgType) bool {
	for _, a := range t.Attrs {
		at := c.resolve(a.Type)
		if at == nil || at.Kind == 'c' || at.Kind == 'p' {
			return false
		}
	}
	return true
}

// pascal turns snake_case into PascalCase for schema names.
func pascal(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '.' || r == ' ' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
