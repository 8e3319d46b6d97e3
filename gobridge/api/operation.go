package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
)

var errorModelType = reflect.TypeOf(ErrorModel{})

// argKind is how a request value reaches SQL.
type argKind int

const (
	kindScalar    argKind = iota // text, cast to the type: $n::text::type
	kindJSON                     // json/jsonb: the JSON text
	kindArray                    // JSON array → array(select jsonb_array_elements_text(...))::type
	kindComposite                // JSON object → jsonb_populate_record(null::type, ...)
	kindRecArray                 // JSON array of objects → array of composites
)

type param struct {
	name     string
	required bool
	kind     argKind
	cast     string // the type as SQL names it (format_type)
	elemCast string // element type of an array
	schema   *huma.Schema
}

type resultKind int

const (
	resultRows   resultKind = iota // composite / TABLE / OUT columns: from f(...) r
	resultScalar                   // a scalar value
	resultVoid
)

// operation is one api function served over HTTP.
type operation struct {
	s        *Service
	fn       *Function
	huma     *huma.Operation
	params   []param
	byName   map[string]*param
	input    *huma.Schema // the query parameters or the body, as one object
	registry huma.Registry
	result   resultKind
	call     string   // `api.name` quoted
	sqls     sync.Map // bitmask of the arguments given → statement
}

func (s *Service) operation(f *Function, sb *schemaBuilder, errSchema *huma.Schema) *operation {
	op := &operation{s: s, fn: f, byName: map[string]*param{}, registry: sb.registry,
		call: pgx.Identifier{"api", f.Name}.Sanitize()}
	input := &huma.Schema{Type: huma.TypeObject, Properties: map[string]*huma.Schema{}, AdditionalProperties: false}
	for _, a := range f.Inputs {
		t := sb.cat.resolve(a.Type)
		p := param{name: a.Name, required: !a.HasDefault, cast: sb.cat.Types[a.Type].Formatted,
			schema: sb.forType(a.Type, -1, false)}
		switch {
		case t.Elem != 0 && sb.cat.resolve(t.Elem).Kind == 'c':
			p.kind, p.elemCast = kindRecArray, sb.cat.Types[t.Elem].Formatted
		case t.Elem != 0:
			p.kind, p.elemCast = kindArray, sb.cat.Types[t.Elem].Formatted
		case t.Kind == 'c':
			p.kind = kindComposite
		case t.Name == "json" || t.Name == "jsonb":
			p.kind = kindJSON
		}
		if p.kind == kindScalar && sb.cat.Types[a.Type].Kind == 'd' && t != nil {
			// A domain (nezuko.period) lives in a schema the caller's role
			// may not use: send its base type, and the call's own argument
			// coercion applies the domain and its CHECK.
			p.cast = t.Formatted
		}
		op.params = append(op.params, p)
		input.Properties[a.Name] = p.schema
		if p.required {
			input.Required = append(input.Required, a.Name)
		}
	}
	for i := range op.params {
		op.byName[op.params[i].name] = &op.params[i]
	}
	precompute(input)
	op.input = input

	rs := sb.result(f)
	switch {
	case rs == nil:
		op.result = resultVoid
	case len(f.Outputs) > 1 || (len(f.Outputs) == 1 && f.ReturnsSet && sb.isRecord(f.ReturnType)):
		op.result = resultRows
	default:
		if t := sb.cat.resolve(f.ReturnType); t != nil && t.Kind == 'c' && t.Elem == 0 {
			op.result = resultRows
		} else {
			op.result = resultScalar
		}
	}

	summary, description, tag := describe(f)
	h := &huma.Operation{
		OperationID: f.Name,
		Method:      http.MethodGet,
		Path:        "/v1/rpc/" + f.Name,
		Summary:     summary,
		Description: description,
		Tags:        []string{tag},
		Security:    []map[string][]string{{"bearer": {}}},
		Extensions:  map[string]any{"x-required-role": f.Role},
		Responses:   map[string]*huma.Response{},
	}
	if f.Volatile {
		h.Method = http.MethodPost
		body := &huma.Schema{Ref: "#/components/schemas/" + pascal(f.Name) + "Request"}
		req := *input
		req.Description = "Arguments of api." + f.Name + "."
		sb.registry.Map()[pascal(f.Name)+"Request"] = &req
		h.RequestBody = &huma.RequestBody{
			Required: len(input.Required) > 0,
			Content:  map[string]*huma.MediaType{"application/json": {Schema: body}},
		}
	} else {
		for _, p := range op.params {
			hp := &huma.Param{Name: p.name, In: "query", Required: p.required, Schema: p.schema}
			if p.kind == kindArray {
				hp.Explode = ptr(true)
			}
			h.Parameters = append(h.Parameters, hp)
		}
	}
	if rs == nil {
		h.Responses["204"] = &huma.Response{Description: "Done."}
	} else {
		h.Responses["200"] = &huma.Response{
			Description: "The result of api." + f.Name + ".",
			Content:     map[string]*huma.MediaType{"application/json": {Schema: rs}},
		}
	}
	codes := []int{400, 401, 403, 404, 422, 500, 503, 504}
	if f.Volatile {
		codes = []int{400, 401, 403, 404, 409, 413, 422, 500, 503, 504}
	}
	for _, c := range codes {
		h.Responses[strconv.Itoa(c)] = &huma.Response{
			Description: http.StatusText(c),
			Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: errSchema}},
		}
	}
	op.huma = h
	return op
}

var tagLine = regexp.MustCompile(`(?m)^\s*@tag\s+([a-z][a-z0-9_-]*)\s*$`)

// describe splits a function's COMMENT into summary (first sentence) and
// description, and finds its tag: a line `@tag NAME` in the comment; without
// one, get_* reads are "analytics", names mentioning command "commands", and
// anything else "admin".
func describe(f *Function) (summary, description, tag string) {
	c := f.Comment
	if m := tagLine.FindStringSubmatch(c); m != nil {
		tag = m[1]
	} else if strings.Contains(f.Name, "command") {
		tag = "commands"
	} else if strings.HasPrefix(f.Name, "get_") && !f.Volatile {
		tag = "analytics"
	} else {
		tag = "admin"
	}
	c = stripMarkers(c)
	summary = c
	if i := strings.Index(c, ". "); i >= 0 {
		summary = c[:i]
	}
	if i := strings.IndexByte(summary, '\n'); i >= 0 {
		summary = summary[:i]
	}
	summary = strings.TrimSuffix(strings.TrimSpace(summary), ".")
	if summary == "" {
		summary = "api." + f.Name
	}
	if len(summary) > 120 {
		summary = summary[:117] + "..."
	}
	role := "Requires role **" + f.Role + "** (PostgreSQL role nezuko_" + f.Role + ")."
	if f.Role == "viewer" {
		role = "Requires role **viewer** or admin (PostgreSQL role nezuko_viewer)."
	}
	description = strings.TrimSpace(c + "\n\n" + role + " SQL: `api." + f.Name + "`.")
	return summary, description, tag
}
