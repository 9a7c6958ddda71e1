package main

import (
	"bytes"
	"strings"
	"testing"
)

// Help asked for is an answer, not a failure: the program's usage for
// -h/--help/help, each subcommand's flags for "<subcommand> -h", exit 0;
// an unknown subcommand still fails with the usage.
func TestHelpExitsZero(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{[]string{"--help"}, 0, "exchangebot run [-as USERID]"},
		{[]string{"-h"}, 0, "exchangebot run [-as USERID]"},
		{[]string{"help"}, 0, "exchangebot export lessons"},
		// The subcommands' flag sets print their flags to the process's
		// stderr; only the exit status is checked here.
		{[]string{"serve", "-h"}, 0, ""},
		{[]string{"run", "-h"}, 0, ""},
		{[]string{"export", "-h"}, 0, ""},
		{[]string{"migrate", "-h"}, 0, ""},
		{[]string{"serve", "-nonsense"}, 1, ""},
		{[]string{"nonsense"}, 2, `unknown command "nonsense"`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String()+stderr.String(), tt.out) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s%s", code, tt.code, tt.out, stdout.String(), stderr.String())
			}
		})
	}
}
