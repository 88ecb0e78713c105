//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/pgtest"
)

// childEnv makes the test binary run the command line instead of the tests
// (TestMain), under a data-size limit of childMemory bytes: the heap cannot
// grow past it, so a reader that grows without bound dies of it.
const (
	childEnv    = "PARLEY_TEST_CLI_CHILD"
	childMemory = 512 << 20
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		lim := &syscall.Rlimit{Cur: childMemory, Max: childMemory}
		if err := syscall.Setrlimit(syscall.RLIMIT_DATA, lim); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(3)
		}
		mm := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
		ctx, stop := interruptible(context.Background(), interruptAfter)
		defer stop()
		if err := mm.Run(ctx, os.Args[1:]); err != nil {
			if msg := errorText(err); msg != "" {
				fmt.Fprintln(os.Stderr, msg)
			}
			os.Exit(exitCode(err))
		}
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// TestHostileSubprocess runs the inputs that stress memory as a separate
// process under a 512 MiB data limit (RLIMIT_DATA) and checks the exit
// status, the message and the peak resident memory: endless devices, an
// endless text stream on standard input, an alias bomb.
func TestHostileSubprocess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	bomb := dir + "/bomb.yaml"
	if err := os.WriteFile(bomb, []byte("id: t\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		args   []string
		stdin  bool // an endless stream of "y" lines on standard input
		want   string
		maxRSS int64 // KiB
	}{
		{"DevZeroScenario", []string{"analyze", "/dev/zero"}, false, "/dev/zero: not a text file", 200 << 10},
		{"DevUrandomTranscript", []string{"replay", "/dev/urandom"}, false, "/dev/urandom: not a text file", 200 << 10},
		{"DevZeroGenius", []string{"simulate", "--genius", "/dev/zero", "/dev/zero", "/dev/zero"}, false, "/dev/zero: not a text file", 200 << 10},
		{"EndlessScenario", []string{"validate", "--max-input-size", "16MiB", "/dev/stdin"}, true, "/dev/stdin: larger than the input size limit of 16 MiB", 200 << 10},
		{"EndlessTranscript", []string{"replay", "--max-input-size", "8MiB", "/dev/stdin"}, true, "/dev/stdin", 200 << 10},
		{"AliasBomb", []string{"analyze", bomb}, false, "document too large", 400 << 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], c.args...)
			cmd.Env = append(os.Environ(), childEnv+"=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if c.stdin {
				w, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				go func() {
					line := bytes.Repeat([]byte("y\n"), 32<<10)
					for {
						if _, err := w.Write(line); err != nil {
							return
						}
					}
				}()
			}
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("no answer after 60 s")
			}
			code := cmd.ProcessState.ExitCode()
			errs := stderr.String()
			if code != 2 {
				t.Errorf("exit %d (%v), want 2; stderr:\n%s", code, err, errs)
			}
			if !strings.Contains(errs, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, errs)
			}
			if m := noLeak.FindString(errs); m != "" {
				t.Errorf("message shows %q:\n%s", m, errs)
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > c.maxRSS {
				t.Errorf("peak resident memory %d MiB, want at most %d MiB", ru.Maxrss>>10, c.maxRSS>>10)
			}
		})
	}
}

// TestUnreadableTranscriptNamedOnce: a transcript that fails to read
// midway (/proc/self/mem: an I/O error at once) is named once, with its
// position, by every command that reads one — not "FILE:1: ...: read FILE:".
func TestUnreadableTranscriptNamedOnce(t *testing.T) {
	const path = "/proc/self/mem"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	reg := t.TempDir() + "/r.jsonl"
	for _, args := range [][]string{
		{"monitor", "sign", "--transcript", path, "--register", reg},
		{"replay", path},
	} {
		_, errs, code := run(t, args...)
		if code == 0 || strings.Count(errs, path) != 1 || !strings.Contains(errs, path+":1: ") || !strings.Contains(errs, "input/output error") {
			t.Errorf("parley %s: exit %d %q, want %s named once with its line and the system's reason", strings.Join(args, " "), code, errs, path)
		}
	}
}
