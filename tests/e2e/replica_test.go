package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// replica is a streaming replica of the project-local cluster: a second
// cluster made by pg_basebackup, on its own loopback port.
type replica struct {
	t    *testing.T
	dir  string
	port string
	as   []string // runuser -u postgres -- when root
	bin  string
}

func (r *replica) pg(args ...string) []byte {
	r.t.Helper()
	cmdline := append(append([]string(nil), r.as...), args...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, cmdline[0], cmdline[1:]...).CombinedOutput()
	if err != nil {
		r.t.Fatalf("%v: %v\n%s", cmdline, err, out)
	}
	return out
}

// startReplica base-backs-up the cluster behind primaryURL into a temporary
// folder and starts it as a hot standby streaming from it.
func startReplica(t *testing.T, primaryURL string) *replica {
	bin := os.Getenv("NEZUKO_PG_BIN")
	r := &replica{t: t, bin: bin, as: strings.Fields(os.Getenv("NEZUKO_AS_PG"))}
	u, err := url.Parse(primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(u.Host)
	parent, err := os.MkdirTemp("", "nezuko-replica-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	r.dir = filepath.Join(parent, "data")
	if len(r.as) > 0 { // the postgres OS user must own the folder
		if out, err := exec.Command("chown", "postgres:", parent).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	r.pg(pgTool(bin, "pg_basebackup"), "-h", host, "-p", port, "-U", "postgres", "-D", r.dir,
		"-R", "-X", "stream", "-c", "fast")
	r.port = strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	conf := fmt.Sprintf("port = %s\nshared_buffers = 32MB\nhot_standby = on\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n", r.port)
	cmd := append(append([]string(nil), r.as...), "tee", "-a", filepath.Join(r.dir, "postgresql.auto.conf"))
	c := exec.Command(cmd[0], cmd[1:]...)
	c.Stdin = strings.NewReader(conf)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("configure replica: %v %s", err, out)
	}
	r.pg(pgTool(bin, "pg_ctl"), "-D", r.dir, "-l", filepath.Join(parent, "replica.log"), "-w", "-t", "60", "start")
	t.Cleanup(r.stop)
	return r
}

func (r *replica) stop() {
	cmdline := append(append([]string(nil), r.as...), pgTool(r.bin, "pg_ctl"), "-D", r.dir, "-m", "immediate", "-w", "stop")
	_ = exec.Command(cmdline[0], cmdline[1:]...).Run()
}

// pgTool finds a PostgreSQL program: in bin, on PATH, or in the newest
// /usr/lib/postgresql/*/bin (Debian keeps the server tools there).
func pgTool(bin, name string) string {
	if p := filepath.Join(bin, name); fileExists(p) {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(ms) > 0 {
		return ms[len(ms)-1]
	}
	return name
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// url is db on the replica.
func (r *replica) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", r.port, db)
}

func TestStableReadsGoToAStreamingReplicaAndWritesStayOnThePrimary(t *testing.T) {
	if os.Getenv("NEZUKO_PG_REPLICA") != "1" || os.Getenv("NEZUKO_PG_BIN") == "" {
		t.Skip("starts a second cluster: run through `just test` (NEZUKO_PG_REPLICA=1, NEZUKO_PG_BIN)")
	}
	primary := testdb.New(t)
	pu, _ := url.Parse(primary)
	db := strings.TrimPrefix(pu.Path, "/")
	rep := startReplica(t, primary)
	ctx := context.Background()
	pconn := connect(t, primary)
	var rconn *pgx.Conn
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if rconn, err = pgx.Connect(ctx, rep.url(db)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica does not answer: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer rconn.Close(ctx)
	var standby bool
	if err := rconn.QueryRow(ctx, "select pg_is_in_recovery()").Scan(&standby); err != nil || !standby {
		t.Fatalf("the replica is not a standby: %v %v", standby, err)
	}
	var admin string
	if err := pconn.QueryRow(ctx, `select token from auth.create_token('replica test', 'admin')`).Scan(&admin); err != nil {
		t.Fatal(err)
	}
	caughtUp := func() {
		t.Helper()
		var lsn string
		if err := pconn.QueryRow(ctx, "select pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			var ok bool
			if err := rconn.QueryRow(ctx, "select pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn).Scan(&ok); err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the replica did not catch up within 30s")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	caughtUp()
	p := startServe(t, "DATABASE_URL="+primary, "NEZUKO_READ_DATABASE_URL="+rep.url(db), "NEZUKO_LOG_DB=off")
	f := &apiFixture{p: p, url: primary, conn: pconn, admin: admin}
	f.waitFor(t, "get_config")

	value := func() string {
		t.Helper()
		r := f.get(t, "/v1/rpc/get_config?p_key=log_retention_days", admin)
		if r.code != http.StatusOK {
			t.Fatalf("get_config = %d %s", r.code, r.body)
		}
		return fmt.Sprint(r.json(t)["value"])
	}
	if v := value(); v != "90" {
		t.Fatalf("log_retention_days = %s", v)
	}
	// Replay paused: the replica lags. A write goes to the primary (POST),
	// reads (GET) answer what the replica has.
	if _, err := rconn.Exec(ctx, "select pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	if r := f.post(t, "/v1/rpc/update_config", admin, map[string]any{"p_key": "log_retention_days", "p_value": 45}); r.code != http.StatusOK {
		t.Fatalf("update_config = %d %s", r.code, r.body)
	}
	var onPrimary string
	_ = pconn.QueryRow(ctx, "select value::text from nezuko.admin_config where key = 'log_retention_days'").Scan(&onPrimary)
	if onPrimary != "45" {
		t.Fatalf("the write did not reach the primary: %s", onPrimary)
	}
	if v := value(); v != "90" {
		t.Fatalf("a GET with replay paused answered %s: it did not read the replica", v)
	}
	var readers int
	_ = rconn.QueryRow(ctx, "select count(*) from pg_stat_activity where application_name = 'nezuko-read'").Scan(&readers)
	if readers == 0 {
		t.Errorf("no nezuko-read connection on the replica")
	}
	if _, err := rconn.Exec(ctx, "select pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	caughtUp()
	if v := value(); v != "45" {
		t.Fatalf("after catching up the replica answers %s, want 45", v)
	}
	// Bots, the queue and realtime stay on the primary: nothing of serve's
	// but the API's reads connects to the replica.
	var others int
	_ = rconn.QueryRow(ctx, "select count(*) from pg_stat_activity where application_name = 'nezuko'").Scan(&others)
	if others != 0 {
		t.Errorf("%d of serve's primary connections went to the replica", others)
	}
	// The replica goes away: reads fall back to the primary.
	rconn.Close(ctx)
	rep.stop()
	if v := value(); v != "45" {
		t.Fatalf("with the replica down a GET answered %s", v)
	}
}
