package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/exchangebot/exchangebot/store/postgres"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

const migrateUsage = "usage: exchangebot migrate [-config FILE] [-from FILE] -to postgres://…"

// cmdMigrate copies the SQLite database into an empty PostgreSQL one and
// verifies the copy table by table before committing it.
func cmdMigrate(args []string, stdout io.Writer) error {
	fs, configPath := flags("migrate")
	from := fs.String("from", "", "SQLite file to copy (default: the config's database)")
	to := fs.String("to", "", "PostgreSQL URL of an empty database to copy into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *to == "" {
		return errors.New(migrateUsage)
	}
	if !isPostgres(*to) {
		return fmt.Errorf("-to must be a postgres:// URL, not %q", redactDatabase(*to))
	}
	if msg := checkPostgresURL(*to); msg != "" {
		return fmt.Errorf("-to %s %s", redactDatabase(*to), msg)
	}
	src := *from
	if src == "" {
		cfg, err := loadConfig(*configPath)
		if err != nil {
			return err
		}
		src = cfg.Database
	}
	if isPostgres(src) {
		return fmt.Errorf("the source is already PostgreSQL (%s); migrate copies a SQLite file", redactDatabase(src))
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	// Opening brings the file to this program's schema, the one the copy knows.
	lite, err := sqlite.Open(ctx, src)
	if err != nil {
		return err
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer pg.Close()
	checks, err := pg.CopyFromSQLite(ctx, lite.DB())
	if len(checks) > 0 {
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "table\trows\tcopied\tsha256\t")
		for _, c := range checks {
			verdict := "ok"
			if !c.OK() {
				verdict = "MISMATCH (copy: " + short(c.TargetChecksum) + ")"
			}
			fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\n", c.Table, c.SourceRows, c.TargetRows, short(c.SourceChecksum), verdict)
		}
		w.Flush()
	}
	if err != nil {
		if errors.Is(err, postgres.ErrNotEmpty) {
			return fmt.Errorf("%w; migrate only copies into an empty database", err)
		}
		return err
	}
	fmt.Fprintf(stdout, "copied %s to %s and verified every table; nothing else was changed\n", src, redactDatabase(*to))
	return nil
}

func short(sum string) string {
	if len(sum) > 16 {
		return sum[:16]
	}
	return sum
}
