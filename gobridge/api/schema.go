package api

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// schemaBuilder turns PostgreSQL types into JSON Schemas. Composite and
// enum types become named components (#/components/schemas/PascalName), so
// generated clients get one type per PostgreSQL type.
type schemaBuilder struct {
	cat      *catalog
	registry huma.Registry
	names    map[uint32]string // type oid → component name
}

func newSchemaBuilder(cat *catalog, r huma.Registry) *schemaBuilder {
	return &schemaBuilder{cat: cat, registry: r, names: map[uint32]string{}}
}

func ptr[T any](v T) *T { return &v }

// forType is the schema of a value of type oid (typmod -1 when unknown).
// nullable says whether the value may be null: the caller knows (a NOT NULL
// table column, a result field not listed by @nullable, a request value).
// A NOT NULL domain is never null.
//
// Domains carry choices and bounds (sql/002_configuration.sql): a CHECK
// holding one ARRAY['a', 'b'] list becomes a named string enum, VALUE >= n /
// VALUE <= n become minimum / maximum.
func (b *schemaBuilder) forType(oid uint32, typmod int32, nullable bool) *huma.Schema {
	t := b.cat.Types[oid]
	if t == nil {
		return &huma.Schema{}
	}
	switch {
	case t.Kind == 'd':
		nullable = nullable && !t.NotNull
		if ch := choices(t.Checks); ch != nil {
			return b.enum(t, ch, nullable)
		}
		s := b.forType(t.Base, t.TypMod, nullable)
		if s.Ref != "" {
			s = &huma.Schema{AllOf: []*huma.Schema{s}}
		}
		lo, hi := bounds(t.Checks)
		if lo != nil {
			s.Minimum = lo
		}
		if hi != nil {
			s.Maximum = hi
		}
		var desc []string
		if t.Comment != "" {
			desc = append(desc, t.Comment)
		}
		if len(t.Checks) > 0 && lo == nil && hi == nil { // a CHECK the schema cannot state: quote it
			desc = append(desc, "Domain "+t.Formatted+": "+strings.Join(t.Checks, "; "))
		}
		s.Description = strings.Join(desc, " ")
		return s
	case t.Elem != 0:
		// Elements are described as non-null: the API's functions build
		// arrays with array_agg/array(select ...) of real rows.
		return &huma.Schema{Type: huma.TypeArray, Items: b.forType(t.Elem, -1, false), Nullable: nullable}
	case t.Kind == 'c':
		return b.ref(t)
	case t.Kind == 'e':
		return b.ref(t)
	}
	s := scalar(t, typmod)
	if s.Type != "" {
		s.Nullable = nullable
	}
	return s
}

// enum is the schema of a choice domain: a reference to its named
// component, or (null allowed: a $ref cannot say so in OpenAPI 3.0) the
// enum inline with null among the choices.
func (b *schemaBuilder) enum(t *pgType, ch []string, nullable bool) *huma.Schema {
	values := make([]any, 0, len(ch)+1)
	for _, c := range ch {
		values = append(values, c)
	}
	if nullable {
		return &huma.Schema{Type: huma.TypeString, Enum: append(values, nil), Nullable: true, Description: t.Comment}
	}
	name, ok := b.names[t.OID]
	if !ok {
		name = pascal(t.Name)
		for b.registry.Map()[name] != nil {
			name += "_"
		}
		b.names[t.OID] = name
		s := &huma.Schema{Type: huma.TypeString, Enum: values, Description: t.Comment}
		precompute(s)
		b.registry.Map()[name] = s
	}
	return &huma.Schema{Ref: "#/components/schemas/" + name}
}

// ref registers a composite or enum type as a component and returns a
// reference to it.
func (b *schemaBuilder) ref(t *pgType) *huma.Schema {
	name, ok := b.names[t.OID]
	if !ok {
		name = pascal(t.Name)
		if t.Namespace != "api" && t.Namespace != "pg_catalog" {
			name = pascal(t.Namespace + "_" + t.Name)
		}
		for b.registry.Map()[name] != nil {
			name += "_"
		}
		b.names[t.OID] = name
		s := &huma.Schema{Description: stripMarkers(t.Comment)}
		b.registry.Map()[name] = s // placeholder first: a type may refer to itself
		if t.Kind == 'e' {
			s.Type = huma.TypeString
			for _, l := range t.Labels {
				s.Enum = append(s.Enum, l)
			}
		} else {
			b.object(s, t.Attrs, t.Table, nullableNames(t.Comment))
		}
		precompute(s)
	}
	// A reference is described as non-null: "null" next to a $ref needs
	// anyOf, which the OpenAPI 3.0 copy cannot express.
	return &huma.Schema{Ref: "#/components/schemas/" + name}
}

// object fills s as an object with one property per attribute, all present
// in every response (row_to_json writes every column). A table's row type
// says itself which columns may be null (NOT NULL) and which hold a fixed
// choice (a column CHECK "col = ANY (ARRAY[...])"); any other composite
// (an api type, OUT parameters, RETURNS TABLE) has only non-null fields
// except those its COMMENT lists on a line "@nullable a, b".
func (b *schemaBuilder) object(s *huma.Schema, attrs []attr, table bool, nullable map[string]bool) {
	s.Type = huma.TypeObject
	s.Properties = map[string]*huma.Schema{}
	s.AdditionalProperties = false
	for _, a := range attrs {
		null := nullable[a.Name]
		if table {
			null = !a.NotNull
		}
		p := b.forType(a.Type, a.TypMod, null)
		if ch := choices([]string{a.Checks}); ch != nil && p.Type == huma.TypeString && p.Enum == nil {
			for _, c := range ch {
				p.Enum = append(p.Enum, c)
			}
			if null {
				p.Enum = append(p.Enum, nil)
			}
		}
		s.Properties[a.Name] = p
		s.Required = append(s.Required, a.Name)
	}
}

// result is the schema of a function's response body, or nil for void.
func (b *schemaBuilder) result(f *Function) *huma.Schema {
	var one *huma.Schema
	switch {
	case len(f.Outputs) > 1 || (len(f.Outputs) == 1 && f.ReturnsSet && b.isRecord(f.ReturnType)):
		name := pascal(f.Name) + "Result"
		if f.ReturnsSet {
			name = pascal(f.Name) + "Row"
		}
		s := &huma.Schema{Description: "A row of " + f.Name + "."}
		attrs := make([]attr, len(f.Outputs))
		for i, o := range f.Outputs {
			attrs[i] = attr{Name: o.Name, Type: o.Type, TypMod: -1}
		}
		b.object(s, attrs, false, nullableNames(f.Comment))
		b.registry.Map()[name] = s
		one = &huma.Schema{Ref: "#/components/schemas/" + name}
	default:
		t := b.cat.resolve(f.ReturnType)
		if t != nil && t.Kind == 'p' && t.Name == "void" {
			return nil
		}
		// A single composite is never null as a whole from row_to_json; a
		// scalar result is null only when the COMMENT says "@nullable result".
		nullable := nullableNames(f.Comment)["result"]
		if t != nil && t.Kind == 'c' && t.Elem == 0 {
			nullable = false
		}
		one = b.forType(f.ReturnType, -1, nullable)
	}
	if f.ReturnsSet {
		return &huma.Schema{Type: huma.TypeArray, Items: one}
	}
	return one
}

func (b *schemaBuilder) isRecord(oid uint32) bool {
	t := b.cat.Types[oid]
	return t != nil && t.Name == "record"
}

// scalar maps a base type to JSON Schema, exactly as PostgreSQL's JSON
// output writes it (row_to_json / to_json).
func scalar(t *pgType, typmod int32) *huma.Schema {
	if t.Namespace != "pg_catalog" {
		return &huma.Schema{Type: huma.TypeString, Description: "PostgreSQL type " + t.Formatted + ", as text."}
	}
	switch t.Name {
	case "int2":
		return &huma.Schema{Type: huma.TypeInteger, Format: "int32", Minimum: ptr(-32768.0), Maximum: ptr(32767.0)}
	case "int4":
		return &huma.Schema{Type: huma.TypeInteger, Format: "int32", Minimum: ptr(-2147483648.0), Maximum: ptr(2147483647.0)}
	case "int8":
		// Bounds of int64 are not exact in a float; the format states them.
		return &huma.Schema{Type: huma.TypeInteger, Format: "int64"}
	case "oid", "xid":
		return &huma.Schema{Type: huma.TypeInteger, Format: "int64", Minimum: ptr(0.0), Maximum: ptr(4294967295.0)}
	case "float4":
		return &huma.Schema{Type: huma.TypeNumber, Format: "float"}
	case "float8":
		return &huma.Schema{Type: huma.TypeNumber, Format: "double"}
	case "numeric":
		s := &huma.Schema{Type: huma.TypeNumber, Description: "Exact decimal (numeric)."}
		if typmod >= 4 {
			p, sc := ((typmod-4)>>16)&0xffff, (typmod-4)&0xffff
			s.Description = fmt.Sprintf("Exact decimal numeric(%d,%d).", p, sc)
		}
		return s
	case "money":
		return &huma.Schema{Type: huma.TypeString}
	case "bool":
		return &huma.Schema{Type: huma.TypeBoolean}
	case "text", "name", "citext":
		return &huma.Schema{Type: huma.TypeString}
	case "varchar", "bpchar":
		s := &huma.Schema{Type: huma.TypeString}
		if typmod >= 4 {
			s.MaxLength = ptr(int(typmod - 4))
		}
		return s
	case "uuid":
		return &huma.Schema{Type: huma.TypeString, Format: "uuid"}
	case "date":
		return &huma.Schema{Type: huma.TypeString, Format: "date"}
	case "timestamptz":
		return &huma.Schema{Type: huma.TypeString, Format: "date-time"}
	case "timestamp":
		return &huma.Schema{Type: huma.TypeString, Description: "Date and time without time zone (YYYY-MM-DDThh:mm:ss[.ffffff])."}
	case "time":
		return &huma.Schema{Type: huma.TypeString, Description: "Time of day without time zone (hh:mm:ss[.ffffff])."}
	case "timetz":
		return &huma.Schema{Type: huma.TypeString, Description: "Time of day with offset (hh:mm:ss[.ffffff]+hh)."}
	case "interval":
		// Not format "duration": Huma would validate it as a Go duration.
		return &huma.Schema{Type: huma.TypeString, Description: "Interval: answered as an ISO 8601 duration (P1DT2H); accepted in any PostgreSQL interval syntax."}
	case "json", "jsonb":
		return &huma.Schema{Description: "Any JSON value."}
	case "bytea":
		return &huma.Schema{Type: huma.TypeString, Pattern: `^\\x([0-9a-f]{2})*$`, Description: "Bytes, hex-encoded after \\x."}
	case "inet", "cidr":
		return &huma.Schema{Type: huma.TypeString, Description: "IPv4 or IPv6 address (" + t.Name + ")."}
	case "xid8":
		return &huma.Schema{Type: huma.TypeString, Pattern: "^[0-9]+$", Description: "64-bit transaction id, as a decimal string."}
	}
	return &huma.Schema{Type: huma.TypeString, Description: "PostgreSQL type " + t.Formatted + ", as text."}
}

// precompute prepares every schema below s for huma.Validate.
func precompute(s *huma.Schema) {
	if s == nil {
		return
	}
	s.PrecomputeMessages()
	precompute(s.Items)
	for _, p := range s.Properties {
		precompute(p)
	}
	for _, x := range s.AnyOf {
		precompute(x)
	}
	for _, x := range s.AllOf {
		precompute(x)
	}
}

// markerLine is a line of a COMMENT that instructs the API rather than
// documents: "@tag name" (the operation's tag) or "@nullable a, b" (the
// result fields that may be null; every other one never is).
var (
	markerLine   = regexp.MustCompile(`(?m)^[ \t]*@(tag|nullable)\b.*$\n?`)
	nullableLine = regexp.MustCompile(`(?m)^[ \t]*@nullable[ \t]+(.+?)[ \t]*$`)
)

// nullableNames are the fields a COMMENT lists on its @nullable lines.
func nullableNames(comment string) map[string]bool {
	out := map[string]bool{}
	for _, m := range nullableLine.FindAllStringSubmatch(comment, -1) {
		for _, n := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			out[n] = true
		}
	}
	return out
}

// stripMarkers is a COMMENT without its @tag and @nullable lines.
func stripMarkers(comment string) string {
	return strings.TrimSpace(markerLine.ReplaceAllString(comment, ""))
}

var (
	choiceList = regexp.MustCompile(`(?:= ANY \(|check_choice\(VALUE, )ARRAY\[([^\]]*)\]`)
	quoted     = regexp.MustCompile(`'((?:[^']|'')*)'`)
	bound      = regexp.MustCompile(`VALUE (>=|<=) \(?(-?[0-9]+(?:\.[0-9]+)?)\)?`)
	rangeCheck = regexp.MustCompile(`check_range\(\(?VALUE\)?(?:::\w+)?, \(?(-?[0-9]+)\)?(?:::\w+)?, \(?(-?[0-9]+)\)?`)
)

// choices are the values of the one ARRAY[...] list in CHECK constraints
// ("= ANY (ARRAY[...])" or nezuko.check_choice(VALUE, ARRAY[...], ...)),
// or nil when there is not exactly one such list or it is combined with OR.
func choices(checks []string) []string {
	var found []string
	n := 0
	for _, c := range checks {
		if strings.Contains(c, " OR ") {
			return nil
		}
		for _, m := range choiceList.FindAllStringSubmatch(c, -1) {
			n++
			for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
				found = append(found, strings.ReplaceAll(q[1], "''", "'"))
			}
		}
	}
	if n != 1 || len(found) == 0 {
		return nil
	}
	return found
}

// bounds are the inclusive limits of a domain's CHECK: nezuko.check_range(VALUE, n, m, ...)
// or "VALUE >= n AND VALUE <= m".
func bounds(checks []string) (lo, hi *float64) {
	for _, c := range checks {
		if strings.Contains(c, " OR ") {
			return nil, nil
		}
		if m := rangeCheck.FindStringSubmatch(c); m != nil {
			l, _ := strconv.ParseFloat(m[1], 64)
			h, _ := strconv.ParseFloat(m[2], 64)
			return ptr(l), ptr(h)
		}
		for _, m := range bound.FindAllStringSubmatch(c, -1) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				continue
			}
			if m[1] == ">=" {
				lo = ptr(v)
			} else {
				hi = ptr(v)
			}
		}
	}
	return lo, hi
}
