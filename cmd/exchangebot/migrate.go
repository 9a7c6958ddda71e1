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

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store/postgres"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// cmdMigrate copies the SQLite database into an empty PostgreSQL one and
// verifies the copy table by table before committing it.
func cmdMigrate(lang i18n.Lang, args []string, stdout io.Writer) error {
	fs, configPath := flags(lang, "migrate")
	from := fs.String("from", "", i18n.T(lang, "cli.flag.from", nil))
	to := fs.String("to", "", i18n.T(lang, "cli.flag.to", nil))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *to == "" {
		return userError("cli.migrate.usage", nil)
	}
	if !isPostgres(*to) {
		return userError("cli.migrate.not_postgres", map[string]any{"URL": redactDatabase(*to)})
	}
	if id := checkPostgresURL(*to); id != "" {
		return userError("cli.migrate.bad_to", map[string]any{"URL": redactDatabase(*to), "Reason": i18n.Msg(id)})
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
		return userError("cli.migrate.source_postgres", map[string]any{"Database": redactDatabase(src)})
	}
	if _, err := os.Stat(src); err != nil {
		return &cliError{id: "cli.migrate.source_missing", data: map[string]any{"Detail": err.Error()}, err: err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	// Opening brings the file to this program's schema, the one the copy knows.
	lite, err := sqlite.Open(ctx, src)
	if err != nil {
		return storeError(src, err)
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, *to)
	if err != nil {
		return storeError(*to, err)
	}
	defer pg.Close()
	checks, err := pg.CopyFromSQLite(ctx, lite.DB())
	if len(checks) > 0 {
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		l := i18n.For(lang)
		fmt.Fprintf(w, "%s\t%s\t%s\tsha256\t\n", l.T("cli.migrate.table", nil), l.T("cli.migrate.rows", nil), l.T("cli.migrate.copied", nil))
		for _, c := range checks {
			verdict := "ok"
			if !c.OK() {
				verdict = l.T("cli.migrate.mismatch", map[string]any{"Sum": short(c.TargetChecksum)})
			}
			fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\n", c.Table, c.SourceRows, c.TargetRows, short(c.SourceChecksum), verdict)
		}
		w.Flush()
	}
	if err != nil {
		if errors.Is(err, postgres.ErrNotEmpty) {
			return &cliError{id: "cli.migrate.not_empty", data: map[string]any{"Database": redactDatabase(*to)}, err: err}
		}
		return err
	}
	fmt.Fprintln(stdout, i18n.T(lang, "cli.migrate.done", map[string]any{"From": src, "To": redactDatabase(*to)}))
	return nil
}

func short(sum string) string {
	if len(sum) > 16 {
		return sum[:16]
	}
	return sum
}
