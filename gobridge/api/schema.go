package api

import (
	"fmt"
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
// Result values are nullable (PostgreSQL cannot declare a function's result
// column NOT NULL) unless a NOT NULL domain or table column says otherwise;
// request values are not (leave an optional parameter out instead).
func (b *schemaBuilder) forType(oid uint32, typmod int32, nullable bool) *huma.Schema {
	t := b.cat.Types[oid]
	if t == nil {
		return &huma.Schema{}
	}
	switch {
	case t.Kind == 'd':
		s := b.forType(t.Base, t.TypMod, nullable && !t.NotNull)
		if s.Ref != "" {
			s = &huma.Schema{AllOf: []*huma.Schema{s}}
		}
		var desc []string
		if t.Comment != "" {
			desc = append(desc, t.Comment)
		}
		if len(t.Checks) > 0 {
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
		s := &huma.Schema{Description: t.Comment}
		b.registry.Map()[name] = s // placeholder first: a type may refer to itself
		if t.Kind == 'e' {
			s.Type = huma.TypeString
			for _, l := range t.Labels {
				s.Enum = append(s.Enum, l)
			}
		} else {
			b.object(s, t.Attrs)
		}
		precompute(s)
	}
	// A reference is described as non-null: "null" next to a $ref needs
	// anyOf, which the OpenAPI 3.0 copy cannot express.
	return &huma.Schema{Ref: "#/components/schemas/" + name}
}

// object fills s as an object with one property per attribute, all present
// in every response (row_to_json writes every column).
func (b *schemaBuilder) object(s *huma.Schema, attrs []attr) {
	s.Type = huma.TypeObject
	s.Properties = map[string]*huma.Schema{}
	s.AdditionalProperties = false
	for _, a := range attrs {
		s.Properties[a.Name] = b.forType(a.Type, a.TypMod, !a.NotNull)
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
		b.object(s, attrs)
		b.registry.Map()[name] = s
		one = &huma.Schema{Ref: "#/components/schemas/" + name}
	default:
		t := b.cat.resolve(f.ReturnType)
		if t != nil && t.Kind == 'p' && t.Name == "void" {
			return nil
		}
		// A single composite is never null as a whole from row_to_json.
		nullable := true
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
