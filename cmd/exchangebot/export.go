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

const exportUsage = "usage: exchangebot export lessons [-config FILE] [-format md|csv|json]"

// cmdExport is `export lessons`: every lesson, to stdout.
func cmdExport(args []string, stdout io.Writer) error {
	fs, configPath := flags("export")
	format := fs.String("format", "md", "output format: "+strings.Join(exchange.ExportFormats, ", "))
	// Flags may come before or after the word "lessons".
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.Arg(0) != "lessons" {
		return errors.New(exportUsage)
	}
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(exportUsage)
	}
	if !slices.Contains(exchange.ExportFormats, *format) {
		return fmt.Errorf("-format must be md, csv or json, not %q", *format)
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
	return exchange.New(exchange.Options{Store: st, Policy: cfg.Policy()}).Export(ctx, stdout, *format)
}
