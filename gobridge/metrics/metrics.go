// Package metrics is what `nezuko serve` tells Prometheus: GET /metrics on
// the HTTP listener, in the text exposition format of
// prometheus/client_golang, with the Go runtime and process collectors and
// the nezuko_* families below.
//
// The families are package-level so that any part of the bridge can count
// with one line (metrics.TelegramCall(...), metrics.UpdateProcessed(...))
// without threading a registry through its constructors; what only serve
// knows (the pool, the SSE hub, the log sink, the queue's table) is read at
// scrape time through the Watch* functions, so a scrape costs the hot paths
// nothing.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every family /metrics serves.
var Registry = prometheus.NewRegistry()

// Latency buckets (seconds): 0.5 ms to 30 s, roughly ×2.5 apart.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

var (
	httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nezuko_http_requests_total",
		Help: "HTTP requests answered, by route (the mux pattern; /v1/rpc/<function> for RPCs) and status code.",
	}, []string{"route", "method", "status"})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "nezuko_http_request_duration_seconds",
		Help:    "Time from request to the end of the handler, by route (SSE streams are counted but not timed).",
		Buckets: latencyBuckets,
	}, []string{"route", "method"})
	httpInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "nezuko_http_requests_in_flight",
		Help: "HTTP requests being handled now (an SSE stream only until its connection is handed to the event writers).",
	})

	telegramCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nezuko_telegram_calls_total",
		Help: "Bot API calls made, by method and result (ok, or the error type api_call_log records).",
	}, []string{"method", "result"})
	telegramDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "nezuko_telegram_call_duration_seconds",
		Help:    "Bot API call latency, by method.",
		Buckets: latencyBuckets,
	}, []string{"method"})
	updatesReceived = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nezuko_updates_received_total",
		Help: "Telegram updates received (getUpdates or webhook), by bot_instance_id.",
	}, []string{"bot"})
	updatesProcessed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nezuko_updates_processed_total",
		Help: "Telegram updates whose decision and effects were carried out, by bot_instance_id.",
	}, []string{"bot"})
	updateDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "nezuko_update_duration_seconds",
		Help:    "Time from receipt of an update to its committed effect, by bot_instance_id.",
		Buckets: latencyBuckets,
	}, []string{"bot"})

	queueClaimed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nezuko_queue_claimed_total",
		Help: "Admin commands claimed by this process's worker, by command type.",
	}, []string{"type"})
	queueCompleted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nezuko_queue_completed_total",
		Help: "Admin command attempts this process's worker carried out without error, by command type.",
	}, []string{"type"})
	queueFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nezuko_queue_failed_total",
		Help: "Admin command attempts that failed in this process's worker (retried or not), by command type.",
	}, []string{"type"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		httpRequests, httpDuration, httpInFlight,
		telegramCalls, telegramDuration, updatesReceived, updatesProcessed, updateDuration,
		queueClaimed, queueCompleted, queueFailed,
		effectsPending,
	)
}

// Handler serves the registry (GET /metrics).
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}

// TelegramCall counts one Bot API call: errorType is "" for success (result
// "ok") or the error type api_call_log records.
func TelegramCall(method, errorType string, d time.Duration) {
	result := errorType
	if result == "" {
		result = "ok"
	}
	telegramCalls.WithLabelValues(method, result).Inc()
	telegramDuration.WithLabelValues(method).Observe(d.Seconds())
}

// UpdatesReceived counts n updates received for a bot.
func UpdatesReceived(bot int64, n int) {
	updatesReceived.WithLabelValues(strconv.FormatInt(bot, 10)).Add(float64(n))
}

// UpdateProcessed counts one update handled to its committed effect, took
// after its receipt.
func UpdateProcessed(bot int64, took time.Duration) {
	b := strconv.FormatInt(bot, 10)
	updatesProcessed.WithLabelValues(b).Inc()
	updateDuration.WithLabelValues(b).Observe(took.Seconds())
}

// QueueClaimed, QueueCompleted and QueueFailed count the command worker's
// claims and attempts.
func QueueClaimed(commandType string)   { queueClaimed.WithLabelValues(commandType).Inc() }
func QueueCompleted(commandType string) { queueCompleted.WithLabelValues(commandType).Inc() }
func QueueFailed(commandType string)    { queueFailed.WithLabelValues(commandType).Inc() }
