// Command dburl points a PostgreSQL URL at another database, for the
// justfile's scratch databases whatever form DATABASE_URL takes.
//
//	dburl URL DBNAME        prints the URL with its database replaced
//	dburl -env URL DBNAME   prints PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE
//	                        exports, for tools that take no URL (pg_prove)
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

func main() {
	args := os.Args[1:]
	asEnv := len(args) > 0 && args[0] == "-env"
	if asEnv {
		args = args[1:]
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dburl [-env] URL DBNAME")
		os.Exit(2)
	}
	u, err := testdb.WithDatabase(args[0], args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dburl:", err)
		os.Exit(1)
	}
	if !asEnv {
		fmt.Println(u)
		return
	}
	c, err := pgconn.ParseConfig(u)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dburl: DATABASE_URL is not a valid PostgreSQL URL")
		os.Exit(1)
	}
	for _, kv := range [][2]string{{"PGHOST", c.Host}, {"PGPORT", strconv.Itoa(int(c.Port))},
		{"PGUSER", c.User}, {"PGPASSWORD", c.Password}, {"PGDATABASE", c.Database}} {
		fmt.Printf("export %s='%s'\n", kv[0], strings.ReplaceAll(kv[1], "'", `'\''`))
	}
}
