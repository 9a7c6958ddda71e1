package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles profiles the server for the load measurements in
// BENCHMARKS.md: a CPU profile of the whole run into the file named by
// EXCHANGEBOT_CPUPROFILE, and the allocations of the whole run into the
// one named by EXCHANGEBOT_MEMPROFILE, both written when the server stops
// (SIGTERM). Without them it does nothing. The returned function stops
// and writes them.
func startProfiles(stderr io.Writer) func() {
	cpuPath, memPath := os.Getenv("EXCHANGEBOT_CPUPROFILE"), os.Getenv("EXCHANGEBOT_MEMPROFILE")
	var cpu *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "exchangebot: cpu profile: %v\n", err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memPath == "" {
			return
		}
		f, err := os.Create(memPath)
		if err != nil {
			fmt.Fprintf(stderr, "exchangebot: memory profile: %v\n", err)
			return
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintf(stderr, "exchangebot: memory profile: %v\n", err)
		}
	}
}
