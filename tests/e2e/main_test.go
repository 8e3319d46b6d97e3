// Package e2e runs the nezuko binary against real PostgreSQL, as an
// operator would. The binary is NEZUKO_BIN when set (just test builds it),
// otherwise built once for the package.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var nezukoBin string

func TestMain(m *testing.M) {
	nezukoBin = os.Getenv("NEZUKO_BIN")
	if nezukoBin == "" {
		dir, err := os.MkdirTemp("", "nezuko-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		nezukoBin = filepath.Join(dir, "nezuko")
		build := exec.Command("go", "build", "-o", nezukoBin, "github.com/nezuko-bot/nezuko/gobridge/cmd/nezuko")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build nezuko:", err)
			os.Exit(1)
		}
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// result is one finished run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// runNezuko runs the binary to completion with env added to a minimal
// environment (no inherited DATABASE_URL unless given).
func runNezuko(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nezukoBin, args...)
	cmd.Env = append(baseEnv(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run nezuko %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// process is a running `nezuko serve`.
type process struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// Logs returns what the process wrote to stdout and stderr so far.
func (p *process) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// URL is the base URL of the server.
func (p *process) URL() string { return "http://" + p.addr }

// startServe starts `nezuko serve` on a free loopback port and waits until
// /healthz answers. It is stopped (SIGTERM) when the test ends.
func startServe(t *testing.T, env ...string) *process {
	t.Helper()
	env = asServeLogin(t, env)
	addr := freeAddr(t)
	p := &process{addr: addr, done: make(chan struct{})}
	p.cmd = exec.Command(nezukoBin, "serve")
	p.cmd.Env = append(append(baseEnv(), "NEZUKO_HTTP_ADDR="+addr), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start nezuko serve: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("nezuko serve output:\n%s", p.Logs())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.URL() + "/healthz")
		if err == nil {
			resp.Body.Close()
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("nezuko serve exited early:\n%s", p.Logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nezuko serve did not answer /healthz within 20s:\n%s", p.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("nezuko serve did not stop within 15s of SIGINT")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func singleLine(s string) bool {
	return strings.Count(strings.TrimRight(s, "\n"), "\n") == 0
}
