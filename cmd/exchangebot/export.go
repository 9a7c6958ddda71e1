package main

import (
	"errors"
	"io"
)

func cmdExport(args []string, stdout io.Writer) error {
	return errors.New("export lessons: not implemented yet")
}
