package assemble

import (
	"reflect"
	"testing"
	"testing/fstest"
)

// TestMigrations reads the steps in the order of their names and skips
// what is not a migration.
func TestMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/010_c.sql": {Data: []byte("C")},
		"migrations/002_b.sql": {Data: []byte("B")},
		"migrations/001_a.sql": {Data: []byte("A")},
		"migrations/README":    {Data: []byte("not a step")},
	}
	got, err := Migrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A", "B", "C"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Migrations = %q, want %q", got, want)
	}
}
