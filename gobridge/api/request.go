package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

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
