package main

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

// cmdExport is `export lessons` (every lesson) and `export evaluations`
// (every participant's evaluation), to stdout.
func cmdExport(lang i18n.Lang, args []string, stdout io.Writer) error {
	fs, configPath := flags(lang, "export")
	format := fs.String("format", "", i18n.T(lang, "cli.flag.format", map[string]any{
		"Lessons": strings.Join(exchange.ExportFormats, ", "), "Evaluations": strings.Join(exchange.EvaluationFormats, ", "),
	}))
	// Flags may come before or after the word naming what to export.
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.Arg(0) != "lessons" && fs.Arg(0) != "evaluations" {
		return userError("cli.export.usage", nil)
	}
	what := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return userError("cli.export.usage", nil)
	}
	formats, def := exchange.ExportFormats, "md"
	if what == "evaluations" {
		formats, def = exchange.EvaluationFormats, "csv"
	}
	if *format == "" {
		*format = def
	}
	if !slices.Contains(formats, *format) {
		return userError("cli.export.format", map[string]any{
			"Formats": strings.Join(formats[:len(formats)-1], ", "), "Last": formats[len(formats)-1], "Format": *format,
		})
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg.Database)
	if err != nil {
		return storeError(cfg.Database, err)
	}
	defer st.Close()
	svc := exchange.New(exchange.Options{Store: st, Policy: cfg.Policy()})
	if what == "evaluations" {
		return svc.ExportEvaluations(ctx, stdout, *format)
	}
	return svc.Export(ctx, stdout, *format)
}
