package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// serve answers one call of the function.
func (op *operation) serve(hctx huma.Context) {
	r, w := humago.Unwrap(hctx)
	ctx := r.Context()
	token, ok := bearer(r)
	if !ok {
		writeProblem(w, problem(ctx, http.StatusUnauthorized, "missing bearer token (Authorization: Bearer <token>)"))
		return
	}
	values, perr := op.readInput(r)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	sql, args := op.sql(values)
	run := op.s.run
	if !op.fn.Volatile && op.s.opts.ReadPool != nil {
		run = op.s.runRead
	}
	body, err := run(ctx, r, token, sql, args, op.result == resultVoid)
	if err != nil {
		op.s.writeDBError(w, r, err, op.fn.Name)
		return
	}
	if op.result == resultVoid {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 8 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	t := strings.TrimSpace(h[7:])
	return t, t != ""
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	return host
}

// value is one request value: text for a scalar, JSON text otherwise.
type value struct {
	present bool
	text    string
}

// readInput reads and validates the query (GET) or body (POST).
func (op *operation) readInput(r *http.Request) ([]value, *ErrorModel) {
	ctx := r.Context()
	obj := map[string]any{}
	var raw map[string]any // POST: the decoded body, numbers exact
	var query url.Values   // GET: the query parameters
	where := "query"
	if op.fn.Volatile {
		where = "body"
		data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, problem(ctx, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes))
			}
			return nil, problem(ctx, http.StatusBadRequest, "cannot read the request body")
		}
		if len(bytes.TrimSpace(data)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil || dec.More() {
				msg := "malformed JSON"
				if err != nil {
					msg += ": " + err.Error()
				}
				return nil, problem(ctx, http.StatusBadRequest, msg, &huma.ErrorDetail{Location: "body", Message: msg})
			}
			m, ok := v.(map[string]any)
			if !ok && v != nil {
				return nil, problem(ctx, http.StatusBadRequest, "the request body must be a JSON object of named arguments",
					&huma.ErrorDetail{Location: "body", Message: "expected a JSON object"})
			}
			raw = m
			for k, x := range m {
				obj[k] = forValidation(x)
			}
		}
	} else {
		query = r.URL.Query()
		for k, vs := range query {
			p := op.byName[k]
			if p == nil {
				obj[k] = vs[0] // reported as unknown by the validation below
				continue
			}
			if p.kind == kindArray {
				items := make([]any, len(vs))
				for i, s := range vs {
					items[i] = fromQuery(p.schema.Items, s)
				}
				obj[k] = items
				continue
			}
			if len(vs) > 1 {
				return nil, problem(ctx, http.StatusUnprocessableEntity, "validation failed",
					&huma.ErrorDetail{Location: "query." + k, Message: "expected one value, got several", Value: vs})
			}
			obj[k] = fromQuery(p.schema, vs[0])
		}
	}
	res := &huma.ValidateResult{}
	if len(obj) > 0 || len(op.input.Required) > 0 {
		pb := huma.NewPathBuffer([]byte(where), len(where))
		huma.Validate(op.registry, op.input, pb, huma.ModeWriteToServer, obj, res)
	}
	if len(res.Errors) > 0 {
		details := make([]*huma.ErrorDetail, 0, len(res.Errors))
		names := make([]string, 0, len(res.Errors))
		for _, e := range res.Errors {
			d, ok := e.(*huma.ErrorDetail)
			if !ok {
				d = &huma.ErrorDetail{Message: e.Error()}
			}
			if d.Message == "unexpected property" {
				d = &huma.ErrorDetail{Message: "unknown parameter", Location: d.Location}
			}
			details = append(details, d)
			names = append(names, d.Location)
		}
		return nil, problem(ctx, http.StatusUnprocessableEntity,
			"validation failed: "+details[0].Message+" ("+strings.Join(names, ", ")+")", details...)
	}
	out := make([]value, len(op.params))
	for i, p := range op.params {
		if op.fn.Volatile {
			x, ok := raw[p.name]
			if !ok {
				continue
			}
			out[i] = value{present: true, text: sqlText(p, x)}
			continue
		}
		vs, ok := query[p.name]
		if !ok {
			continue
		}
		if p.kind == kindArray {
			b, _ := json.Marshal(vs) // elements as text; the cast parses them
			out[i] = value{present: true, text: string(b)}
		} else {
			out[i] = value{present: true, text: vs[0]}
		}
	}
	return out, nil
}

// fromQuery converts a query string to the JSON value its schema expects,
// so validation reports a wrong type by name; a value that does not
// convert stays a string and fails validation.
func fromQuery(s *huma.Schema, v string) any {
	if s == nil {
		return v
	}
	switch s.Type {
	case huma.TypeInteger:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return float64(n)
		}
	case huma.TypeNumber:
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return n
		}
	case huma.TypeBoolean:
		if b, err := strconv.ParseBool(v); err == nil && (v == "true" || v == "false") {
			return b
		}
	}
	return v
}

// forValidation converts json.Number (exact, for SQL) to float64 (what
// huma.Validate understands), recursively.
func forValidation(x any) any {
	switch v := x.(type) {
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return v.String()
		}
		return f
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = forValidation(e)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = forValidation(e)
		}
		return a
	}
	return x
}

// sqlText is the text sent for a body value: scalars as their text form,
// everything else as JSON.
func sqlText(p param, x any) string {
	if p.kind == kindScalar {
		switch v := x.(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		case bool:
			return strconv.FormatBool(v)
		}
	}
	b, _ := json.Marshal(x)
	return string(b)
}

// sql is the statement for one call: named arguments for the values given
// (the rest take their defaults), the result as JSON text.
func (op *operation) sql(values []value) (string, []any) {
	args := make([]any, 0, len(values))
	var mask uint64
	for i, v := range values {
		if v.present {
			args = append(args, v.text)
			mask |= 1 << uint(i)
		}
	}
	if len(values) <= 64 {
		if q, ok := op.sqls.Load(mask); ok {
			return q.(string), args
		}
	}
	q := op.buildSQL(values)
	if len(values) <= 64 {
		op.sqls.Store(mask, q)
	}
	return q, args
}

// buildSQL writes the statement for the arguments present in values.
func (op *operation) buildSQL(values []value) string {
	var b strings.Builder
	n := 0
	var call strings.Builder
	call.WriteString(op.call)
	call.WriteByte('(')
	for i, v := range values {
		if !v.present {
			continue
		}
		p := op.params[i]
		if n > 0 {
			call.WriteString(", ")
		}
		n++
		ph := "$" + strconv.Itoa(n)
		call.WriteString(pgx.Identifier{p.name}.Sanitize())
		call.WriteString(" => ")
		switch p.kind {
		case kindScalar:
			call.WriteString(ph + "::text::" + p.cast)
		case kindJSON:
			call.WriteString(ph + "::text::" + p.cast)
		case kindArray:
			call.WriteString("array(select jsonb_array_elements_text(" + ph + "::text::jsonb))::" + p.cast)
		case kindComposite:
			call.WriteString("jsonb_populate_record(null::" + p.cast + ", " + ph + "::text::jsonb)")
		case kindRecArray:
			call.WriteString("array(select jsonb_populate_record(null::" + p.elemCast + ", e) from jsonb_array_elements(" + ph + "::text::jsonb) e)::" + p.cast)
		}
	}
	call.WriteByte(')')
	switch {
	case op.result == resultVoid:
		b.WriteString("select " + call.String())
	case op.result == resultRows && op.fn.ReturnsSet:
		b.WriteString("select coalesce(json_agg(r), '[]')::text from " + call.String() + " r")
	case op.result == resultRows:
		b.WriteString("select row_to_json(r)::text from " + call.String() + " r")
	case op.fn.ReturnsSet:
		b.WriteString("select coalesce(json_agg(r.v), '[]')::text from " + call.String() + " r(v)")
	default:
		b.WriteString("select coalesce(to_json(" + call.String() + "), 'null')::text")
	}
	return b.String()
}

const beginSQL = `select token_id, role, admin_user_id from auth.begin_request($1, $2, $3)`

// run executes one call as the token's caller: a batch of
// auth.begin_request and the statement, one transaction, one round trip.
//
// A reinstall of the code packages (nezuko migrate) swaps every function
// while requests run, and a request caught in the swap fails with an error
// that says nothing about the request: its cached plan changed shape
// (0A000), it held a plan of a function the install dropped ("cache lookup
// failed", XX000; "type with OID ... does not exist", 42704), the
// function vanished for an instant (42883), or it
// deadlocked with the install's locks (40P01). The whole batch failed, so
// nothing was done: it runs again, up to 4 times, a few ms apart.
func (s *Service) run(ctx context.Context, r *http.Request, token, sql string, args []any, void bool) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		body, err := s.runOnce(ctx, r, token, sql, args, void)
		if err == nil || attempt >= 4 || !swapError(err) || ctx.Err() != nil {
			return body, err
		}
		if attempt > 1 {
			time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
		}
	}
}

// swapError: a failure a concurrent reinstall of the code packages causes.
func swapError(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	switch pg.Code {
	case "0A000", "40P01", "40001", "42883":
		return true
	}
	// A function, type or row type the install dropped, found by an OID
	// the request already held: XX000 "cache lookup failed for function",
	// XX000 "could not open relation with OID", 42704 "type with OID ...
	// does not exist".
	return strings.Contains(pg.Message, "cache lookup failed") || strings.Contains(pg.Message, " with OID ")
}

func (s *Service) runOnce(ctx context.Context, r *http.Request, token, sql string, args []any, void bool) ([]byte, error) {
	batch := &pgx.Batch{}
	batch.Queue(beginSQL, token, clientIP(r), r.UserAgent())
	batch.Queue(sql, args...)
	br := s.opts.Pool.SendBatch(ctx, batch)
	defer br.Close()
	var (
		tokenID int64
		role    string
		adminID *int64
	)
	if err := br.QueryRow().Scan(&tokenID, &role, &adminID); err != nil {
		return nil, err
	}
	setTokenID(ctx, tokenID)
	if void {
		_, err := br.Exec()
		if err != nil {
			return nil, err
		}
		return nil, br.Close()
	}
	var body []byte
	if err := br.QueryRow().Scan(&body); err != nil {
		return nil, err
	}
	return body, br.Close()
}

// writeDBError answers a failed call with the mapped problem; a 500 is
// logged with the request id and shows only that id.
func (s *Service) writeDBError(w http.ResponseWriter, r *http.Request, err error, what string) {
	ctx := r.Context()
	status, detail, ok, sqlstate := dbProblem(err)
	if !ok {
		s.log.Error("api: request failed", "request_id", RequestID(ctx), "operation", what, "err", err)
		if status == http.StatusInternalServerError || detail == "" {
			detail = internal(ctx)
		}
	} else if status >= 500 {
		s.log.Warn("api: request failed", "request_id", RequestID(ctx), "operation", what, "status", status, "err", err)
	}
	writeProblem(w, problem(ctx, status, detail).withCode(sqlstate))
}
