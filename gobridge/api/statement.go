package api

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

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
