package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// Every read answers exactly what its OpenAPI schema promises: every
// required field present, no field null unless the schema allows null, no
// field the schema does not list, every enum value among the choices, every
// number within its bounds. Checked on an empty database (where averages of
// nothing are tempting nulls) and on seeded demo data, for every GET
// operation of the served document.
func TestEveryReadAnswersExactlyItsSchema(t *testing.T) {
	f := newAPI(t)
	f.exec(t, `insert into nezuko.admin_logs (level, logger, message) values ('INFO', 'test', 'hello')`)
	var doc map[string]any
	if r := f.get(t, "/openapi.json", ""); json.Unmarshal([]byte(r.body), &doc) != nil {
		t.Fatalf("/openapi.json: %d", r.code)
	}
	group, bot := int64(-1001), int64(1)
	check := func(stage string) {
		checked := 0
		paths := doc["paths"].(map[string]any)
		names := make([]string, 0, len(paths))
		for p := range paths {
			names = append(names, p)
		}
		sort.Strings(names)
		for _, path := range names {
			op, ok := paths[path].(map[string]any)["get"].(map[string]any)
			if !ok || !strings.HasPrefix(path, "/v1/rpc/") {
				continue
			}
			q := url.Values{}
			params, _ := op["parameters"].([]any)
			missing := false
			for _, p := range params {
				p := p.(map[string]any)
				name := p["name"].(string)
				if req, _ := p["required"].(bool); !req {
					continue
				}
				switch {
				case name == "p_group_id":
					q.Set(name, fmt.Sprint(group))
				case name == "p_bot_id":
					q.Set(name, fmt.Sprint(bot))
				case name == "p_key":
					q.Set(name, "heartbeat_interval_seconds")
				default:
					missing = true
				}
			}
			if missing {
				t.Errorf("%s: no sample value for a required parameter; extend the test", path)
				continue
			}
			r := f.get(t, path+"?"+q.Encode(), f.admin)
			if r.code == 404 {
				continue // get_group / get_bot on an empty database
			}
			if r.code != 200 {
				t.Errorf("%s %s: %d %s", stage, path, r.code, r.body)
				continue
			}
			var body any
			if err := json.Unmarshal([]byte(r.body), &body); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			schema := op["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
			for _, e := range conform(doc, schema.(map[string]any), body, "") {
				t.Errorf("%s %s: %s", stage, path, e)
			}
			checked++
		}
		if checked < 20 {
			t.Fatalf("%s: only %d reads checked", stage, checked)
		}
	}
	check("empty database:")
	r := runNezuko(t, []string{"DATABASE_URL=" + f.url}, "seed", "-rows", "3000", "-api-rows", "1000", "-days", "3", "-groups", "3")
	if r.code != 0 {
		t.Fatalf("seed: %s", r.stderr)
	}
	if err := f.conn.QueryRow(t.Context(), `select (select min(group_id) from nezuko.protected_groups), (select min(id) from nezuko.bot_instances)`).Scan(&group, &bot); err != nil {
		t.Fatal(err)
	}
	f.exec(t, `insert into nezuko.admin_commands (command_type, payload) select 'clear_cache', '{"all": true}'`)
	check("seeded database:")
}

// conform lists how v departs from schema s (a decoded OpenAPI schema).
func conform(doc map[string]any, s map[string]any, v any, at string) []string {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		return conform(doc, doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any), v, at)
	}
	if all, ok := s["allOf"].([]any); ok {
		var errs []string
		for _, x := range all {
			errs = append(errs, conform(doc, x.(map[string]any), v, at)...)
		}
		return errs
	}
	types := map[string]bool{}
	switch tv := s["type"].(type) {
	case string:
		types[tv] = true
	case []any:
		for _, x := range tv {
			types[x.(string)] = true
		}
	}
	if v == nil {
		if len(types) > 0 && !types["null"] {
			return []string{fmt.Sprintf("%s is null; the schema says %v", at, s["type"])}
		}
		return nil
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if e == v {
				found = true
			}
		}
		if !found {
			return []string{fmt.Sprintf("%s = %v, not one of %v", at, v, enum)}
		}
	}
	if n, ok := v.(float64); ok {
		if lo, ok := s["minimum"].(float64); ok && n < lo {
			return []string{fmt.Sprintf("%s = %v below minimum %v", at, n, lo)}
		}
		if hi, ok := s["maximum"].(float64); ok && n > hi {
			return []string{fmt.Sprintf("%s = %v above maximum %v", at, n, hi)}
		}
	}
	switch x := v.(type) {
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			var errs []string
			for i, e := range x {
				errs = append(errs, conform(doc, items, e, fmt.Sprintf("%s[%d]", at, i))...)
				if len(errs) > 5 {
					break
				}
			}
			return errs
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		var errs []string
		for _, r := range asStrings(s["required"]) {
			if _, ok := x[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s.%s is required but missing", at, r))
			}
		}
		for k, e := range x {
			p, ok := props[k].(map[string]any)
			if !ok {
				if props != nil {
					errs = append(errs, fmt.Sprintf("%s.%s is not in the schema", at, k))
				}
				continue
			}
			errs = append(errs, conform(doc, p, e, at+"."+k)...)
		}
		return errs
	}
	return nil
}

func asStrings(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, x := range a {
		out = append(out, x.(string))
	}
	return out
}

// A problem says what went wrong in a field a client can switch on: the
// SQLSTATE when the database refused, a stable name otherwise. And every
// list answers {total, items}, list_commands included.
func TestProblemsCarryTheSQLSTATEOrAStableCode(t *testing.T) {
	f := newAPI(t)
	cases := []struct {
		r    reply
		code string
	}{
		{f.get(t, "/v1/rpc/get_chart_data?p_tz=Mars", f.viewer), "22023"},
		{f.get(t, "/v1/rpc/list_groups?p_limit=0", f.viewer), "unprocessable_entity"},
		{f.get(t, "/v1/rpc/list_groups?p_limit=ten", f.viewer), "unprocessable_entity"},
		{f.get(t, "/v1/rpc/get_chart_data?p_period=1w", f.viewer), "unprocessable_entity"},
		{f.get(t, "/v1/rpc/list_groups", ""), "unauthorized"},
		{f.get(t, "/v1/rpc/list_groups", "not-a-token"), "28000"},
		{f.post(t, "/v1/rpc/update_config", f.viewer, `{"p_key": "x", "p_value": 1}`), "42501"},
		{f.get(t, "/v1/rpc/no_such_function", f.viewer), "not_found"},
		{f.get(t, "/v1/rpc/get_group?p_group_id=42", f.viewer), "P0001"},
		{f.post(t, "/v1/auth/login", "", `{"email": "nobody@example.com", "password": "x"}`), "28000"},
		{f.post(t, "/v1/auth/login", "", `{"email": 1}`), "unprocessable_entity"},
	}
	for i, c := range cases {
		p := c.r.problem(t, c.r.code)
		if p["code"] != c.code {
			t.Errorf("case %d: code %v, want %s: %s", i, p["code"], c.code, c.r.body)
		}
	}
	// A choice reaches SQL as the caller's role, which may not use schema
	// nezuko where the domains live.
	for _, q := range []string{"get_verification_trends?p_period=30d&p_granularity=week", "get_user_growth?p_granularity=week",
		"list_commands?p_status=failed", "get_top_groups?p_limit=100", "list_admin_logs?p_min_level=ERROR"} {
		if r := f.get(t, "/v1/rpc/"+q, f.viewer); r.code != 200 {
			t.Errorf("viewer GET %s = %d %s", q, r.code, r.body)
		}
	}
	if r := f.get(t, "/v1/rpc/get_top_groups?p_limit=101", f.viewer); r.code != 422 || !strings.Contains(r.body, "p_limit") {
		t.Errorf("p_limit=101 (maximum 100 from the domain) = %d %s", r.code, r.body)
	}
	f.exec(t, `insert into nezuko.admin_commands (command_type, payload) select 'clear_cache', '{"all": true}' from generate_series(1, 3)`)
	r := f.get(t, "/v1/rpc/list_commands?p_limit=2&p_command_type=clear_cache", f.viewer) // the worker may run them at once
	var page struct {
		Total int               `json:"total"`
		Items []json.RawMessage `json:"items"`
	}
	if r.code != 200 || json.Unmarshal([]byte(r.body), &page) != nil || page.Total != 3 || len(page.Items) != 2 {
		t.Fatalf("list_commands = %d %s, want {total: 3, items: [2 commands]}", r.code, r.body)
	}
}
