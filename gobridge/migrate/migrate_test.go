package migrate

import (
	"io/fs"
	"strings"
	"testing"
)

// A function file that install.sql does not pull in would silently never
// be installed.
func TestEveryCodeFileIsInstalled(t *testing.T) {
	for _, p := range Packages() {
		install, err := fs.ReadFile(p.FS, "install.sql")
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		err = fs.WalkDir(p.FS, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || path == "install.sql" || !strings.HasSuffix(path, ".sql") {
				return err
			}
			if !strings.Contains(string(install), `{{ template "`+path+`" . }}`) {
				t.Errorf("%s/%s is not included by %s/install.sql", p.Name, path, p.Name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrationsAreNumberedWithoutGaps(t *testing.T) {
	n, err := MigrationCount()
	if err != nil || n < 5 {
		t.Fatalf("MigrationCount = %d, %v", n, err)
	}
}
