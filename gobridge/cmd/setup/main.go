// Command setup makes a fresh machine ready for the README's Quick start,
// then runs it: `go run ./gobridge/cmd/setup run` (the main job: just run)
// and `go run ./gobridge/cmd/setup test` (just test). It needs only Go.
//
// What the recipes need and a fresh Debian machine lacks — just,
// PostgreSQL's server binaries and client, for the tests pgTAP, pg_prove
// and Node/npm, and Chromium for the browser check — is installed when it runs as root with apt-get (just from
// npm's rust-just); otherwise it says in one line exactly what to install
// and exits 1. Nothing is installed that is already there.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/nezuko-bot/nezuko/gobridge/config"
)

// env is what setup reads from the environment (config.SetupFromEnv).
var env = config.SetupFromEnv()

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "run" && os.Args[1] != "test") {
		fmt.Fprintln(os.Stderr, "usage: go run ./gobridge/cmd/setup run|test [recipe arguments]   (installs what is missing, then runs just run / just test)")
		os.Exit(2)
	}
	recipe := os.Args[1]
	// just's recipes call go: keep the Go that runs us on PATH.
	if goroot := env.GoRoot; goroot != "" {
		addPath(filepath.Join(goroot, "bin"))
	} else if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		addPath(filepath.Join(strings.TrimSpace(string(out)), "bin"))
	}
	if err := ensure(recipe == "test"); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
	just, err := exec.LookPath("just")
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup: just is still not on PATH after installing it; open a new shell and run: just", recipe)
		os.Exit(1)
	}
	args := append([]string{"just", recipe}, os.Args[2:]...)
	if err := syscall.Exec(just, args, os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "setup: run just:", err)
		os.Exit(1)
	}
}

func addPath(dir string) {
	if !strings.Contains(":"+env.Path+":", ":"+dir+":") {
		env.Path += ":" + dir
		os.Setenv("PATH", env.Path) // for exec.LookPath and the recipes
	}
}

// ensure installs (or names) what the recipe needs.
func ensure(tests bool) error {
	var apt []string // Debian packages to install
	npmJust := !have("just")
	if pgBin() == "" {
		apt = append(apt, "postgresql")
	}
	if !have("psql") {
		apt = append(apt, "postgresql-client")
	}
	if (npmJust || tests) && !have("npm") {
		apt = append(apt, "nodejs", "npm")
	}
	if tests && !have("pg_prove") {
		apt = append(apt, "libtap-parser-sourcehandler-pgtap-perl")
	}
	pgtap := tests && !hasPgTAP()
	root := os.Geteuid() == 0 && have("apt-get")
	// Optional: the browser check of `just test` runs when Chromium is
	// there (and is skipped otherwise); as root it is installed.
	if tests && root && !have("chromium") && !have("chromium-browser") && !have("google-chrome") {
		apt = append(apt, "chromium")
	}
	if len(apt) == 0 && !npmJust && !pgtap {
		return nil
	}
	if !root {
		var cmds []string
		pkgs := append([]string(nil), apt...)
		if pgtap {
			pkgs = append(pkgs, "postgresql-<major>-pgtap")
		}
		if len(pkgs) > 0 {
			cmds = append(cmds, "sudo apt-get install -y "+strings.Join(pkgs, " "))
		}
		if npmJust {
			cmds = append(cmds, "sudo npm install -g rust-just")
		}
		return fmt.Errorf("missing prerequisites; install them with: %s (or run this as root on Debian/Ubuntu to have it done)", strings.Join(cmds, " && "))
	}
	if len(apt) > 0 || pgtap {
		if err := run("apt-get", "update", "-qq"); err != nil {
			return err
		}
	}
	if len(apt) > 0 {
		if err := aptInstall(apt...); err != nil {
			return err
		}
	}
	if pgtap {
		major := pgMajor()
		if major == "" {
			return fmt.Errorf("no PostgreSQL server under /usr/lib/postgresql after installing it")
		}
		if err := aptInstall("postgresql-" + major + "-pgtap"); err != nil {
			return err
		}
	}
	if npmJust {
		if err := run("npm", "install", "-g", "--no-audit", "--no-fund", "rust-just"); err != nil {
			return err
		}
	}
	return nil
}

func aptInstall(pkgs ...string) error {
	fmt.Fprintln(os.Stderr, "setup: installing", strings.Join(pkgs, " "))
	cmd := exec.Command("apt-get", append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apt-get install %s: %w", strings.Join(pkgs, " "), err)
	}
	return nil
}

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

func have(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// pgBin is a directory holding initdb and pg_ctl (what the justfile's
// _pg-bin finds), or "".
func pgBin() string {
	if d := env.PGBin; d != "" {
		return d
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(dirs) == 0 {
		return ""
	}
	return filepath.Dir(dirs[len(dirs)-1])
}

// pgMajor is the newest PostgreSQL major version installed under
// /usr/lib/postgresql ("15"), or "".
func pgMajor() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	var majors []string
	for _, d := range dirs {
		majors = append(majors, filepath.Base(filepath.Dir(filepath.Dir(d))))
	}
	sort.Slice(majors, func(i, j int) bool {
		return len(majors[i]) < len(majors[j]) || (len(majors[i]) == len(majors[j]) && majors[i] < majors[j])
	})
	if len(majors) == 0 {
		return ""
	}
	return majors[len(majors)-1]
}

// hasPgTAP: the pgtap extension is installed for the server the recipes use.
func hasPgTAP() bool {
	major := pgMajor()
	if major == "" {
		out, err := exec.Command("pg_config", "--sharedir").Output()
		if err != nil {
			return false
		}
		_, err = os.Stat(filepath.Join(strings.TrimSpace(string(out)), "extension", "pgtap.control"))
		return err == nil
	}
	_, err := os.Stat(filepath.Join("/usr/share/postgresql", major, "extension", "pgtap.control"))
	return err == nil
}
