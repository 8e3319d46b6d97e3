// Package api is the REST API of Nezuko, built from the PostgreSQL catalog.
//
// Every function of schema api becomes one Huma operation: GET
// /v1/rpc/{name} for STABLE and IMMUTABLE functions (arguments as query
// parameters), POST /v1/rpc/{name} for VOLATILE ones (a JSON object body).
// Argument and result types become JSON Schemas; the function's COMMENT is
// the documentation; the GRANTs say which role may call it. No Go code is
// written per function. A few operations that need Go (login, logout,
// registering a bot) are ordinary typed Huma operations beside them.
//
// Each request is one transaction in one round trip: a pgx batch of
// auth.begin_request (token → role, caller settings, statement_timeout) and
// the call itself. The whole operation set is rebuilt on NOTIFY
// nezuko_reload (a reinstall of the functions package) and swapped
// atomically; requests in flight finish on the set they started on.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"
)

// MaxBodyBytes is the largest request body accepted (413 above it).
const MaxBodyBytes = 1 << 20

// DocVersion is info.version of the OpenAPI document. It is not the binary's
// version, so the committed document changes only when the API does.
const DocVersion = "1"

// Options configure the API.
type Options struct {
	Pool *pgxpool.Pool
	// ReadPool, when set, is a read replica: STABLE operations (GET
	// /v1/rpc/...) run there (see replica.go).
	ReadPool       *pgxpool.Pool
	Log            *slog.Logger
	TelegramAPIURL string   // for POST /v1/bots (getMe)
	FernetKeys     []string // the first encrypts bot tokens
	HTTPClient     *http.Client
	// Extend adds operations served by other components (the realtime
	// relay's GET /v1/events) to every generation of the API, so the
	// document describes them too.
	Extend []func(huma.API)
}

// Service serves the API. It is an http.Handler for /v1/, /openapi* and
// /docs; Reload rebuilds it from the catalog.
type Service struct {
	opts       Options
	readTokens readTokens
	log        *slog.Logger
	cur        atomic.Pointer[built]
	reloadMu   sync.Mutex
	docs       http.Handler
}

// built is one immutable generation of the API.
type built struct {
	api     huma.API
	mux     *http.ServeMux
	methods map[string]string // path → the one method it answers
	ops     int
}

var errorsOnce sync.Once

// New returns a Service with no operations yet: call Reload before serving.
func New(opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	s := &Service{opts: opts, log: opts.Log}
	errorsOnce.Do(func() {
		// Huma's own errors (validation of the typed operations) carry the
		// request id as instance too, like every other problem here.
		// Every problem huma writes is ours, with a code.
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			p := &ErrorModel{Status: status, Title: http.StatusText(status), Code: StatusCode(status), Detail: msg}
			for _, e := range errs {
				if e == nil {
					continue
				}
				if d, ok := e.(huma.ErrorDetailer); ok {
					p.Errors = append(p.Errors, d.ErrorDetail())
				} else {
					p.Errors = append(p.Errors, &huma.ErrorDetail{Message: e.Error()})
				}
			}
			return p
		}
		huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
			e := huma.NewError(status, msg, errs...)
			if m, ok := e.(*ErrorModel); ok && hctx != nil {
				if id := RequestID(hctx.Context()); id != "" {
					m.Instance = "urn:nezuko:request:" + id
				}
			}
			return e
		}
	})
	s.docs = v5emb.NewWithConfig(swgui.Config{
		Title:       "Nezuko API",
		SwaggerJSON: "/openapi.json",
		BasePath:    "/docs/",
		ShowTopBar:  false,
	})("Nezuko API", "/openapi.json", "/docs/")
	return s
}

// Register attaches the API's routes to mux: /v1/ (except more specific
// patterns others register, such as GET /v1/events), the OpenAPI documents
// and /docs.
func (s *Service) Register(mux *http.ServeMux) {
	mux.Handle("/v1/", s)
	for _, p := range []string{"/openapi.json", "/openapi.yaml", "/openapi-3.0.json", "/openapi-3.0.yaml"} {
		mux.Handle("GET "+p, s)
	}
	mux.Handle("GET /docs", http.RedirectHandler("/docs/", http.StatusMovedPermanently))
	mux.Handle("GET /docs/", s.docs)
}

// ServeHTTP serves one request on the current generation of the API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = withRequestID(w, r)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("api: panic", "request_id", RequestID(r.Context()), "panic", fmt.Sprint(v))
			writeProblem(w, problem(r.Context(), http.StatusInternalServerError, internal(r.Context())))
		}
	}()
	b := s.cur.Load()
	if b == nil {
		writeProblem(w, problem(r.Context(), http.StatusServiceUnavailable, "the API is loading its catalog; retry shortly"))
		return
	}
	b.mux.ServeHTTP(w, r)
}

// Reload reads the catalog and swaps in a new generation of the API. On
// error the previous generation stays.
func (s *Service) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	start := time.Now()
	b, err := s.build(ctx)
	if err != nil {
		return err
	}
	s.cur.Store(b)
	s.log.Info("api: catalog loaded", "operations", b.ops, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Document is the OpenAPI document currently served.
func (s *Service) Document() *huma.OpenAPI {
	if b := s.cur.Load(); b != nil {
		return b.api.OpenAPI()
	}
	return nil
}

// BuildDocument reads the catalog and returns the OpenAPI document the
// server would serve (what `nezuko openapi` writes).
func BuildDocument(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, extend ...func(huma.API)) (*huma.OpenAPI, error) {
	s := New(Options{Pool: pool, Log: log, Extend: extend})
	b, err := s.build(ctx)
	if err != nil {
		return nil, err
	}
	return b.api.OpenAPI(), nil
}

func newHumaAPI(mux *http.ServeMux) huma.API {
	registry := huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)
	// Components that describe their errors with huma's type (the realtime
	// relay's operations) get ours, with code.
	registry.RegisterTypeAlias(reflect.TypeOf(huma.ErrorModel{}), reflect.TypeOf(ErrorModel{}))
	cfg := huma.Config{
		OpenAPI: &huma.OpenAPI{
			OpenAPI: "3.1.0",
			Info: &huma.Info{
				Title:   "Nezuko API",
				Version: DocVersion,
				Description: "REST API of Nezuko, generated from the PostgreSQL catalog: every function of schema api is an operation " +
					"(GET for reads, POST for changes), documented by its COMMENT and allowed by its GRANT. " +
					"Authenticate with `Authorization: Bearer <token>`; each operation states the role it needs " +
					"(x-required-role: viewer or admin). Errors are RFC 9457 problem+json.",
			},
			Components: &huma.Components{
				Schemas: registry,
				SecuritySchemes: map[string]*huma.SecurityScheme{
					"bearer": {
						Type:        "http",
						Scheme:      "bearer",
						Description: "An API token: `nezuko token create`, or POST /v1/auth/login.",
					},
				},
			},
		},
		OpenAPIPath:   "/openapi",
		Formats:       huma.DefaultFormats,
		DefaultFormat: "application/json",
	}
	return humago.New(mux, cfg)
}

func (s *Service) build(ctx context.Context) (*built, error) {
	cat, err := loadCatalog(ctx, s.opts.Pool, s.log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	a := newHumaAPI(mux)
	b := &built{api: a, mux: mux, methods: map[string]string{}}
	sb := newSchemaBuilder(cat, a.OpenAPI().Components.Schemas)
	errSchema := a.OpenAPI().Components.Schemas.Schema(errorModelType, true, "")
	for _, f := range cat.Functions {
		op := s.operation(f, sb, errSchema)
		a.OpenAPI().AddOperation(op.huma)
		a.Adapter().Handle(op.huma, op.serve)
		b.methods[op.huma.Path] = op.huma.Method
		b.ops++
	}
	s.registerGoOperations(a, b)
	for _, extend := range s.opts.Extend {
		extend(a)
	}
	// Anything else under /v1: 404 for an unknown path, 405 for the wrong method.
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		if m, ok := b.methods[r.URL.Path]; ok {
			w.Header().Set("Allow", m)
			writeProblem(w, problem(r.Context(), http.StatusMethodNotAllowed, fmt.Sprintf("%s takes %s", r.URL.Path, m)))
			return
		}
		detail := "no such operation"
		if name, ok := strings.CutPrefix(r.URL.Path, "/v1/rpc/"); ok {
			detail = fmt.Sprintf("no api function named %q", name)
		}
		writeProblem(w, problem(r.Context(), http.StatusNotFound, detail))
	})
	sortTags(a.OpenAPI())
	return b, nil
}

// sortTags lists the tags used by operations, alphabetically, with a line each.
func sortTags(o *huma.OpenAPI) {
	seen := map[string]bool{}
	for _, p := range o.Paths {
		for _, op := range []*huma.Operation{p.Get, p.Post} {
			if op != nil {
				for _, t := range op.Tags {
					seen[t] = true
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for t := range seen {
		names = append(names, t)
	}
	sort.Strings(names)
	o.Tags = nil
	for _, t := range names {
		o.Tags = append(o.Tags, &huma.Tag{Name: t, Description: tagDescriptions[t]})
	}
}

var tagDescriptions = map[string]string{
	"analytics": "Dashboard analytics over the verification and API call logs.",
	"audit":     "Who changed what in the configuration.",
	"auth":      "Login and logout.",
	"bots":      "Registered Telegram bots.",
	"channels":  "Enforced channels and their links to groups.",
	"commands":  "The dashboard-to-bot command queue.",
	"config":    "Typed system settings.",
	"groups":    "Protected groups and their settings.",
	"logs":      "Application logs of the bridge.",
	"realtime":  "Live events over Server-Sent Events.",
	"tokens":    "API tokens.",
	"users":     "Dashboard accounts.",
	"admin":     "Other administration functions.",
}

// CallSQL is the statement the API runs for a call of api.name with no
// arguments (every argument at its default), for benchmarks that compare
// the API with a hand-written handler making the same call.
func CallSQL(ctx context.Context, pool *pgxpool.Pool, name string) (string, error) {
	s := New(Options{Pool: pool, Log: slog.New(slog.DiscardHandler)})
	cat, err := loadCatalog(ctx, pool, s.log)
	if err != nil {
		return "", err
	}
	a := newHumaAPI(http.NewServeMux())
	sb := newSchemaBuilder(cat, a.OpenAPI().Components.Schemas)
	for _, f := range cat.Functions {
		if f.Name == name {
			op := s.operation(f, sb, &huma.Schema{})
			q, _ := op.sql(make([]value, len(op.params)))
			return q, nil
		}
	}
	return "", fmt.Errorf("no api function %q in the catalog", name)
}

// BeginSQL is the first statement of every API request's batch
// (auth.begin_request with token, ip and user agent).
const BeginSQL = beginSQL
