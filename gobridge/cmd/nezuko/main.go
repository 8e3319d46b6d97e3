// Command nezuko is the whole Nezuko bridge: it migrates the database,
// serves the API and runs the bots. Configuration comes from the
// environment (see README.md); subcommands say what to do.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/nezuko-bot/nezuko/gobridge/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand. run gets the arguments after its name.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command may use.
type env struct {
	cfg    *config.Config
	log    *slog.Logger
	stdout io.Writer
}

var commands = map[string]command{
	"migrate": {"apply migrations and install the SQL code packages", runMigrate},
	"serve":   {"serve the HTTP API and run the bots", runServe},
	"keygen":  {"print a new Fernet key for NEZUKO_FERNET_KEYS", runKeygen},
	"keys":    {"keys reseal: re-encrypt every bot token with the first NEZUKO_FERNET_KEYS key", runKeys},
	"seed":    {"fill the database with demo data (groups, channels, logs)", runSeed},
	"version": {"print the version", runVersion},
	"token":   {"token create --name N --role admin|viewer: a new API token (last line)", runToken},
	"bot":     {"bot add --token T [--webhook-url URL] | bot polling --id N: register a bot (getMe, encrypt, store; setWebhook) or switch it back to polling", runBot},
	"openapi": {"write openapi/openapi.yaml and openapi-3.0.yaml from the catalog", runOpenAPI},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "nezuko: unknown command %q (run nezuko help)\n", args[0])
		return 2
	}
	if wantsHelp(args[1:]) {
		return help(args, cmd, stdout, stderr)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "nezuko: %v\n", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, &env{cfg: cfg, log: log, stdout: stdout}, args[1:]); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "nezuko %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(stderr, "nezuko %s: %s\n", args[0], oneLine(err))
		return 1
	}
	return 0
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// help prints a command's summary and flags (no configuration needed) and
// exits 0.
func help(args []string, cmd command, stdout, stderr io.Writer) int {
	err := cmd.run(context.Background(), &env{cfg: &config.Config{}, log: slog.New(slog.DiscardHandler), stdout: stdout}, args[1:])
	var h helpRequested
	if !errors.As(err, &h) {
		// A command without flags (or a group such as "token"): its summary.
		fmt.Fprintf(stdout, "usage: nezuko %s\n\n%s\n", args[0], cmd.summary)
		return 0
	}
	n := 0
	h.fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		fmt.Fprintf(stdout, "usage: nezuko %s\n\n%s\n\nflags: none\n", h.fs.Name(), cmd.summary)
	} else {
		fmt.Fprintf(stdout, "usage: nezuko %s [flags]\n\n%s\n\nflags:\n", h.fs.Name(), cmd.summary)
		h.fs.SetOutput(stdout)
		h.fs.PrintDefaults()
	}
	fmt.Fprintln(stdout, "\nConfiguration comes from the environment (DATABASE_URL, NEZUKO_*): see README.md, Configuration.")
	return 0
}

// usageError marks bad arguments (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nezuko <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Configuration is read from the environment: DATABASE_URL, NEZUKO_HTTP_ADDR,")
	fmt.Fprintln(w, "NEZUKO_FERNET_KEYS, NEZUKO_TELEGRAM_API_URL, NEZUKO_LOG_LEVEL (see README.md).")
}

// oneLine keeps CLI errors on one line without losing their reason: pgx's
// connection error holds one line per attempt (TLS, then plain text) and
// the reason ("connection refused", "role ... does not exist") is on them,
// so lines are joined with "; ".
func oneLine(err error) string {
	var b strings.Builder
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

func runVersion(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError{"takes no arguments"}
	}
	fmt.Fprintln(e.stdout, "nezuko", version)
	return nil
}
