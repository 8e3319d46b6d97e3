package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A real browser (headless Chromium) on a page of another origin calls an
// operation and receives a live event through EventSource with a ticket:
// what a dashboard on a dev server does. Skipped when no Chromium is
// installed, unless NEZUKO_BROWSER=required (.ci/run installs it).
func TestBrowserOnAnotherOriginCallsAnOperationAndReceivesAnEvent(t *testing.T) {
	chrome := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chrome = p
			break
		}
	}
	if chrome == "" {
		if os.Getenv("NEZUKO_BROWSER") == "required" {
			t.Fatal("NEZUKO_BROWSER=required but no chromium on PATH")
		}
		t.Skip("no chromium on PATH (apt-get install chromium)")
	}
	reports := make(chan string, 16)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/report":
			reports <- r.URL.Query().Get("r")
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, pageHTML)
		}
	}))
	defer page.Close()
	f := newAPI(t, "NEZUKO_CORS_ORIGINS="+page.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	u := page.URL + "/?api=" + f.p.URL() + "&token=" + f.viewer
	cmd := exec.CommandContext(ctx, chrome, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--user-data-dir="+t.TempDir(), u)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	want := []string{"list:0", "open", "event:hello from SQL"}
	for i := 0; i < len(want); {
		select {
		case r := <-reports:
			if r == "open" {
				f.exec(t, `insert into nezuko.admin_logs (level, logger, message) values ('INFO', 'test', 'hello from SQL')`)
			}
			if strings.HasPrefix(r, "error:") {
				t.Fatalf("the page failed: %s", r)
			}
			if r != want[i] {
				t.Fatalf("page reported %q, want %q", r, want[i])
			}
			i++
		case <-ctx.Done():
			t.Fatalf("the page did not report %q within 60 s; chromium said:\n%s", want[i], out.String())
		}
	}
}

const pageHTML = `<!doctype html><html><body><script>
const q = new URLSearchParams(location.search);
const api = q.get("api"), token = q.get("token");
const report = (s) => fetch("/report?r=" + encodeURIComponent(s));
(async () => {
  const r = await fetch(api + "/v1/rpc/list_groups", { headers: { Authorization: "Bearer " + token } });
  const list = await r.json();
  await report("list:" + list.total);
  const t = await (await fetch(api + "/v1/events/ticket", { method: "POST", headers: { Authorization: "Bearer " + token } })).json();
  const es = new EventSource(api + "/v1/events?channels=logs&access_token=" + encodeURIComponent(t.token));
  es.onopen = () => report("open");
  es.addEventListener("new_log", (e) => { const m = JSON.parse(e.data).message; if (m.startsWith("hello")) { report("event:" + m); es.close(); } });
  es.onerror = () => report("error:eventsource");
})().catch((e) => report("error:" + e));
</script></body></html>`
