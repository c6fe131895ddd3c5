// Command talosvalidate checks Talos machine configs as `talosctl validate --strict` does:
// load each file with the machinery's configloader, then Validate in the given runtime mode
// with WithLocal and WithStrict (warnings become errors). It is built against the
// github.com/siderolabs/talos/pkg/machinery version of the model's Talos release.
//
// Usage: talosvalidate MODE FILE...
package main

import (
	"fmt"
	"os"

	"github.com/siderolabs/talos/pkg/machinery/config/configloader"
	"github.com/siderolabs/talos/pkg/machinery/config/validation"
)

// runtimeMode is the validation.RuntimeMode of a mode name (cloud, container, metal).
type runtimeMode string

func (m runtimeMode) String() string        { return string(m) }
func (m runtimeMode) RequiresInstall() bool { return m == "metal" }
func (m runtimeMode) InContainer() bool     { return m == "container" }

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: talosvalidate cloud|container|metal FILE...")
		os.Exit(2)
	}
	mode := runtimeMode(os.Args[1])
	if mode != "cloud" && mode != "container" && mode != "metal" {
		fmt.Fprintf(os.Stderr, "unknown runtime mode %q\n", mode)
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[2:] {
		cfg, err := configloader.NewFromFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			failed = true
			continue
		}
		warnings, err := cfg.Validate(mode, validation.WithLocal(), validation.WithStrict())
		for _, w := range warnings {
			fmt.Fprintf(os.Stderr, "%s: warning: %s\n", path, w)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}
