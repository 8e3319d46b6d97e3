package metrics

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Instrument wraps the listener's mux: every request is counted by route
// and status and timed (nezuko_http_*). observe, when not nil, is also told
// how long each /v1/rpc/ request took (the debug listener's fine-grained
// histogram that `just bench-api` reads).
func Instrument(next http.Handler, observe func(time.Duration)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		httpInFlight.Inc()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			httpInFlight.Dec()
			d := time.Since(start)
			route := routeOf(r, rec.status)
			httpRequests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
			if !rec.stream {
				httpDuration.WithLabelValues(route, r.Method).Observe(d.Seconds())
			}
			if observe != nil && strings.HasPrefix(r.URL.Path, "/v1/rpc/") {
				observe(d)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// routeOf is a bounded label for a request: the mux pattern without its
// method, except under the API's catch-all "/v1/", where the path itself
// names the operation when one answered (a 404 is "/v1/*": unknown paths
// must not make new series).
func routeOf(r *http.Request, status int) string {
	p := r.Pattern
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = p[i+1:]
	}
	switch {
	case p == "":
		return "unmatched"
	case p == "/v1/":
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed || len(r.URL.Path) > 100 {
			return "/v1/*"
		}
		if !strings.ContainsAny(r.URL.Path, "0123456789") {
			return r.URL.Path // /v1/rpc/<function>: no regexp, no copy on the hot path
		}
		return numericSegment.ReplaceAllString(r.URL.Path, "/{id}")
	}
	return p
}

// numericSegment is an id in a path (/v1/bots/5/webhook → /v1/bots/{id}/webhook).
var numericSegment = regexp.MustCompile(`/[0-9]+\b`)

// recorder keeps the status code and whether the response is an event
// stream, passing Flush and Hijack through (SSE needs them).
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	stream bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
		r.stream = strings.HasPrefix(r.Header().Get("Content-Type"), "text/event-stream")
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		r.stream = true // an SSE stream: its writers take over the connection
		return h.Hijack()
	}
	return nil, nil, errors.New("metrics: the response writer cannot be hijacked")
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
