package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	// Zone data inside the binary: the distroless image and minimal hosts
	// have no /usr/share/zoneinfo, and sessions carry IANA zones.
	_ "time/tzdata"
)

// version is set at link time by release builds:
//
//	go build -ldflags "-X main.version=v1.4.0" ./cmd/exchangebot
//
// Otherwise it comes from the build information: the module version for
// `go install …@v1.4.0`, "(devel)" for a build from a checkout.
var version string

// Version describes this build: version, commit when known, Go version.
func Version() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if v == "" {
		v = "(unknown)"
		if ok && info.Main.Version != "" {
			v = info.Main.Version
		}
	}
	s := "exchangebot " + v
	if ok {
		var rev, modified string
		for _, set := range info.Settings {
			switch set.Key {
			case "vcs.revision":
				rev = set.Value
			case "vcs.modified":
				if set.Value == "true" {
					modified = "+modified"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			s += " (" + rev + modified + ")"
		}
	}
	return fmt.Sprintf("%s %s %s/%s", s, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func cmdVersion(stdout io.Writer) error {
	_, err := fmt.Fprintln(stdout, Version())
	return err
}
