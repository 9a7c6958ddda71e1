package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/exchangebot/exchangebot/exchange"
)

const exportUsage = "usage: exchangebot export lessons [-config FILE] [-format md|csv|json]\n" +
	"       exchangebot export evaluations [-config FILE] [-format csv|json]"

// cmdExport is `export lessons` (every lesson) and `export evaluations`
// (every participant's evaluation), to stdout.
func cmdExport(args []string, stdout io.Writer) error {
	fs, configPath := flags("export")
	format := fs.String("format", "", "output format: lessons "+strings.Join(exchange.ExportFormats, ", ")+
		" (default md); evaluations "+strings.Join(exchange.EvaluationFormats, ", ")+" (default csv)")
	// Flags may come before or after the word naming what to export.
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.Arg(0) != "lessons" && fs.Arg(0) != "evaluations" {
		return errors.New(exportUsage)
	}
	what := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(exportUsage)
	}
	formats, def := exchange.ExportFormats, "md"
	if what == "evaluations" {
		formats, def = exchange.EvaluationFormats, "csv"
	}
	if *format == "" {
		*format = def
	}
	if !slices.Contains(formats, *format) {
		return fmt.Errorf("-format must be %s or %s, not %q", strings.Join(formats[:len(formats)-1], ", "), formats[len(formats)-1], *format)
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := exchange.New(exchange.Options{Store: st, Policy: cfg.Policy()})
	if what == "evaluations" {
		return svc.ExportEvaluations(ctx, stdout, *format)
	}
	return svc.Export(ctx, stdout, *format)
}
