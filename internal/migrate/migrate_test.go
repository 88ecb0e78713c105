package migrate_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	_ "modernc.org/sqlite"

	"github.com/parleyhq/parley/internal/migrate"
)

var sqlite = migrate.Dialect{Placeholder: func(int) string { return "?" }}

func TestApplyOnceInOrder(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"m/010_more.sql": {Data: []byte(`ALTER TABLE t ADD COLUMN b TEXT;`)},
		"m/002_init.sql": {Data: []byte(`CREATE TABLE t (a INTEGER); INSERT INTO t (a) VALUES (1);`)},
		"m/README":       {Data: []byte(`not a migration`)},
	}
	ms, err := migrate.Load(fsys, "m")
	if err != nil || len(ms) != 2 || ms[0].Version != 2 || ms[1].Name != "010_more.sql" {
		t.Fatalf("load: %+v, %v", ms, err)
	}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	applied, err := migrate.Apply(ctx, db, ms, sqlite)
	if err != nil || !slices.Equal(applied, []string{"002_init.sql", "010_more.sql"}) {
		t.Fatalf("first apply: %v, %v", applied, err)
	}
	applied, err = migrate.Apply(ctx, db, ms, sqlite)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second apply: %v, %v", applied, err)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the init ran %d times (%v)", n, err)
	}
	// An older build, knowing only the first file, refuses the database.
	if err := migrate.Check(ctx, db, ms[:1]); !errors.Is(err, migrate.ErrVersion) {
		t.Errorf("older build: %v", err)
	}
	if _, err := migrate.Apply(ctx, db, ms[:1], sqlite); !errors.Is(err, migrate.ErrVersion) {
		t.Errorf("older build applying: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	for name, fsys := range map[string]fstest.MapFS{
		"no number":      {"m/init.sql": {}},
		"shared version": {"m/1_a.sql": {}, "m/001_b.sql": {}},
	} {
		if _, err := migrate.Load(fsys, "m"); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}
