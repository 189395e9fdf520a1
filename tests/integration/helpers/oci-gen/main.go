// oci-gen writes a config.json made by runtime-tools' generator,
// generate.New("linux"): the defaults a runtime-tools user gets (Docker's
// 2019 seccomp profile, its capabilities, mounts, masked paths, rlimits),
// so that integration tests run configs from a real generator, not only
// from `modrun spec`.
//
// Build (offline, Debian's golang-go and golang-github-opencontainers-
// runtime-tools-dev in GOPATH mode; tests do this into their temp dir):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$T/gocache \
//	    go build -o $T/oci-gen $SOURCE_ROOT/tests/integration/helpers/oci-gen
//
// Use:
//
//	oci-gen -rootfs rootfs -out config.json [-cwd /] [-uid 0 -gid 0]
//	        [-no-new-privileges] [-env K=V]... [-no-seccomp] -- CMD ARG...
//
// Everything after the flags is process.args (default: "sh"). Anything else
// a test needs it changes in the JSON afterwards.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/opencontainers/runtime-tools/generate"
)

type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	rootfs := flag.String("rootfs", "rootfs", "root.path")
	out := flag.String("out", "config.json", "file to write (\"-\": stdout)")
	cwd := flag.String("cwd", "/", "process.cwd")
	uid := flag.Uint("uid", 0, "process.user.uid")
	gid := flag.Uint("gid", 0, "process.user.gid")
	nnp := flag.Bool("no-new-privileges", false, "process.noNewPrivileges")
	noSeccomp := flag.Bool("no-seccomp", false, "drop linux.seccomp")
	var env listFlag
	flag.Var(&env, "env", "add K=V to process.env (repeatable)")
	flag.Parse()

	g, err := generate.New("linux")
	if err != nil {
		fmt.Fprintln(os.Stderr, "oci-gen: generate.New:", err)
		os.Exit(1)
	}
	g.SetRootPath(*rootfs)
	g.SetRootReadonly(false)
	g.SetProcessCwd(*cwd)
	g.SetProcessUID(uint32(*uid))
	g.SetProcessGID(uint32(*gid))
	g.SetProcessNoNewPrivileges(*nnp)
	g.SetProcessTerminal(false)
	if args := flag.Args(); len(args) > 0 {
		g.SetProcessArgs(args)
	}
	g.AddMultipleProcessEnv(env)
	if *noSeccomp {
		g.Config.Linux.Seccomp = nil
	}
	opts := generate.ExportOptions{}
	if *out == "-" {
		err = g.Save(os.Stdout, opts)
	} else {
		err = g.SaveToFile(*out, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oci-gen: write", *out+":", err)
		os.Exit(1)
	}
}
