package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// typesSQL is a function that takes and returns every kind of type the
// API maps, installed straight into schema api of a test database.
const typesSQL = `
create type api.zz_colour as enum ('red', 'green');
create domain api.zz_short as varchar(5) not null check (value <> '');
create type api.zz_pair as (a integer, b text);
create function api.zz_types(
    p_i2 smallint, p_i4 integer, p_i8 bigint, p_num numeric, p_f8 double precision, p_b boolean,
    p_t text, p_short api.zz_short, p_u uuid, p_d date, p_ts timestamptz, p_iv interval, p_j jsonb,
    p_arr bigint[], p_c api.zz_colour, p_pair api.zz_pair default null, p_pairs api.zz_pair[] default null)
returns table (i2 smallint, i4 integer, i8 bigint, num numeric, f8 double precision, b boolean, t text,
               short api.zz_short, u uuid, d date, ts timestamptz, iv interval, j jsonb, arr bigint[],
               c api.zz_colour, pair api.zz_pair, pairs api.zz_pair[])
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select p_i2, p_i4, p_i8, p_num, p_f8, p_b, p_t, p_short, p_u, p_d, p_ts, p_iv, p_j, p_arr, p_c, p_pair, p_pairs $$;
comment on function api.zz_types(smallint, integer, bigint, numeric, double precision, boolean, text, api.zz_short, uuid,
    date, timestamptz, interval, jsonb, bigint[], api.zz_colour, api.zz_pair, api.zz_pair[]) is 'Every type. Second sentence.
@tag testing
@nullable i8, pairs';
grant execute on function api.zz_types(smallint, integer, bigint, numeric, double precision, boolean, text, api.zz_short,
    uuid, date, timestamptz, interval, jsonb, bigint[], api.zz_colour, api.zz_pair, api.zz_pair[]) to nezuko_viewer;
create function api.zz_touch(p_n integer) returns void language sql volatile as $$ select $$;
grant execute on function api.zz_touch(integer) to nezuko_admin;
create function api.zz_pairs() returns setof api.zz_pair language sql stable as $$ values (1, 'x'), (2, null) $$;
grant execute on function api.zz_pairs() to nezuko_viewer;
create function api.zz_hidden() returns integer language sql stable return 1;
-- What functions/install.sql does at its end:
revoke execute on all functions in schema api from public;
`

func TestPostgresTypesBecomeExactJSONSchemas(t *testing.T) {
	pool, _ := testdb.NewPool(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, typesSQL); err != nil {
		t.Fatal(err)
	}
	doc, err := api.BuildDocument(ctx, pool, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var op struct {
		Summary    string   `json:"summary"`
		Tags       []string `json:"tags"`
		Role       string   `json:"x-required-role"`
		Parameters []struct {
			Name     string          `json:"name"`
			Required bool            `json:"required"`
			Schema   json.RawMessage `json:"schema"`
		} `json:"parameters"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(d.Paths["/v1/rpc/zz_types"]["get"], &op); err != nil {
		t.Fatalf("zz_types is not a GET operation: %v\n%s", err, d.Paths["/v1/rpc/zz_types"])
	}
	if op.Summary != "Every type" || len(op.Tags) != 1 || op.Tags[0] != "testing" || op.Role != "viewer" {
		t.Errorf("summary %q tags %v role %q", op.Summary, op.Tags, op.Role)
	}
	params := map[string]string{}
	for _, p := range op.Parameters {
		params[p.Name] = string(p.Schema)
		if p.Required != (p.Name != "p_pair" && p.Name != "p_pairs") {
			t.Errorf("%s required = %v", p.Name, p.Required)
		}
	}
	want := map[string]string{
		"p_i2":    `{"type":"integer","format":"int32","minimum":-32768,"maximum":32767}`,
		"p_i4":    `{"type":"integer","format":"int32","minimum":-2147483648,"maximum":2147483647}`,
		"p_i8":    `{"type":"integer","format":"int64"}`,
		"p_f8":    `{"type":"number","format":"double"}`,
		"p_b":     `{"type":"boolean"}`,
		"p_t":     `{"type":"string"}`,
		"p_u":     `{"type":"string","format":"uuid"}`,
		"p_d":     `{"type":"string","format":"date"}`,
		"p_ts":    `{"type":"string","format":"date-time"}`,
		"p_arr":   `{"type":"array","items":{"type":"integer","format":"int64"}}`,
		"p_c":     `{"$ref":"#/components/schemas/ZzColour"}`,
		"p_pair":  `{"$ref":"#/components/schemas/ZzPair"}`,
		"p_pairs": `{"type":"array","items":{"$ref":"#/components/schemas/ZzPair"}}`,
	}
	for name, w := range want {
		if norm(t, params[name]) != norm(t, w) {
			t.Errorf("%s: schema %s, want %s", name, params[name], w)
		}
	}
	for name, parts := range map[string][]string{
		"p_num":   {`"type":"number"`},
		"p_iv":    {`"type":"string"`, `ISO 8601`},
		"p_short": {`"maxLength":5`, `"type":"string"`, `CHECK`},
		"p_j":     {`"description":"Any JSON value."`},
	} {
		for _, p := range parts {
			if !strings.Contains(params[name], p) {
				t.Errorf("%s: schema %s lacks %s", name, params[name], p)
			}
		}
	}
	if got := string(d.Components.Schemas["ZzColour"]); !strings.Contains(got, `"enum":["red","green"]`) {
		t.Errorf("enum schema %s", got)
	}
	row := string(d.Components.Schemas["ZzTypesRow"])
	// Result fields are non-null unless the COMMENT's @nullable line lists them.
	for _, p := range []string{`"i8":{"format":"int64","type":["integer","null"]}`, `"maxLength":5,"type":"string"}`,
		`"pairs":{"items":{"$ref":"#/components/schemas/ZzPair"},"type":["array","null"]}`, `"required":["i2","i4"`,
		`"i4":{"format":"int32","maximum":2147483647,"minimum":-2147483648,"type":"integer"}`, `"t":{"type":"string"}`} {
		if !strings.Contains(row, p) {
			t.Errorf("row schema lacks %s:\n%s", p, row)
		}
	}
	if got := string(op.Responses["200"].Content["application/json"].Schema); got != `{"items":{"$ref":"#/components/schemas/ZzTypesRow"},"type":"array"}` {
		t.Errorf("RETURNS TABLE response %s, want an array of rows", got)
	}
	if _, ok := d.Paths["/v1/rpc/zz_touch"]["post"]; !ok || !strings.Contains(string(d.Paths["/v1/rpc/zz_touch"]["post"]), `"204"`) {
		t.Errorf("a VOLATILE void function is not a POST answering 204: %s", d.Paths["/v1/rpc/zz_touch"])
	}
	if _, ok := d.Paths["/v1/rpc/zz_hidden"]; ok {
		t.Errorf("a function no API role may execute is exposed")
	}
}

// norm re-encodes JSON with sorted keys.
func norm(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Values of every type travel from HTTP to SQL and back unchanged, through
// an in-process server on a real database.
func TestValuesOfEveryTypeRoundTrip(t *testing.T) {
	pool, _ := testdb.NewPool(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, typesSQL); err != nil {
		t.Fatal(err)
	}
	var viewer, admin string
	if err := pool.QueryRow(ctx, `select (select token from auth.create_token('v', 'viewer')), (select token from auth.create_token('a', 'admin'))`).Scan(&viewer, &admin); err != nil {
		t.Fatal(err)
	}
	svc := api.New(api.Options{Pool: pool, Log: slog.New(slog.DiscardHandler)})
	if err := svc.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	svc.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	call := func(method, path, token, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	q := "p_i2=-32768&p_i4=2147483647&p_i8=9007199254740993&p_num=12345678901234567890.123456789&p_f8=0.5&p_b=true" +
		"&p_t=%27%3B%20drop%20table%20x%3B--&p_short=abc&p_u=3f2504e0-4f89-11d3-9a0c-0305e82c3301&p_d=2026-01-31" +
		"&p_ts=2026-01-31T10:00:00Z&p_iv=P1DT2H&p_j=%7B%22k%22%3A%5B1%2C2%5D%7D&p_arr=1&p_arr=-2&p_c=green"
	code, body := call(http.MethodGet, "/v1/rpc/zz_types?"+q, viewer, "")
	want := `[{"i2":-32768,"i4":2147483647,"i8":9007199254740993,"num":12345678901234567890.123456789,"f8":0.5,"b":true,` +
		`"t":"'; drop table x;--","short":"abc","u":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","d":"2026-01-31",` +
		`"ts":"2026-01-31T10:00:00+00:00","iv":"P1DT2H","j":{"k": [1, 2]},"arr":[1,-2],"c":"green","pair":null,"pairs":null}]`
	if code != 200 || body != want {
		t.Fatalf("GET zz_types = %d\n%s\nwant\n%s", code, body, want)
	}
	for _, bad := range []string{"p_i2=32768", "p_u=not-a-uuid", "p_d=31.01.2026", "p_c=blue", "p_short=toolong", "p_b=yes"} {
		q2 := strings.NewReplacer("p_i2=-32768", "", "p_u=3f2504e0-4f89-11d3-9a0c-0305e82c3301", "", "p_d=2026-01-31", "",
			"p_c=green", "", "p_short=abc", "", "p_b=true", "").Replace(q) + "&" + bad
		if code, body := call(http.MethodGet, "/v1/rpc/zz_types?"+q2, viewer, ""); code != 422 && code != 400 {
			t.Errorf("%s: %d %s, want 422 (or 400 from the database)", bad, code, body)
		}
	}
	if code, body := call(http.MethodGet, "/v1/rpc/zz_pairs", viewer, ""); code != 200 || body != `[{"a":1,"b":"x"}, `+"\n"+` {"a":2,"b":null}]` {
		t.Errorf("SETOF composite = %d %q", code, body)
	}
	if code, body := call(http.MethodPost, "/v1/rpc/zz_touch", admin, `{"p_n": 3}`); code != 204 {
		t.Errorf("void function = %d %s, want 204", code, body)
	}
	if code, _ := call(http.MethodPost, "/v1/rpc/zz_touch", viewer, `{"p_n": 3}`); code != 403 {
		t.Errorf("viewer calling an admin function = %d, want 403", code)
	}
}
