package agentwire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// CommandOptions tune an agent run as a subprocess.
type CommandOptions struct {
	Options
	// MaxLine bounds a line the agent writes (DefaultMaxLine).
	MaxLine int
	// Dir is the working directory ("": the engine's).
	Dir string
	// ExitWait is how long an agent that has been sent finished may take
	// to exit before it is killed (DefaultExitWait).
	ExitWait time.Duration
}

// DefaultExitWait is how long a well-behaved agent gets to exit after
// finished (it should exit when its input ends).
const DefaultExitWait = 500 * time.Millisecond

// Command returns an Agent that runs argv as a subprocess speaking the
// protocol on its stdin and stdout, one JSON message per line; what it
// writes to stderr is kept (its last line names the fault when it dies).
// The process starts at Init — once per negotiation — in a process group
// of its own, and is always stopped and reaped: after finished it gets
// ExitWait to exit; then, or at once when it is at fault, the whole group
// is killed (children it started included).
func Command(argv []string, opt CommandOptions) *Agent {
	argv = append([]string(nil), argv...)
	return NewDial(func(ctx context.Context) (Transport, error) { return Start(argv, opt) }, opt.Options)
}

// CheckCommand reports whether argv names a program that can be started:
// an executable found on PATH (or at the path given). Errors have code
// EINVALID and say what is missing.
func CheckCommand(argv []string) error {
	if len(argv) == 0 || argv[0] == "" {
		return parley.Errorf(parley.EINVALID, "no command given")
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return parley.Errorf(parley.EINVALID, "command %q %s", argv[0], lookWhy(argv[0], err))
	}
	return nil
}

func lookWhy(name string, err error) string {
	if fi, serr := os.Stat(name); serr == nil && strings.ContainsRune(name, os.PathSeparator) {
		if fi.IsDir() {
			return "is a directory, not a program"
		}
		return "is not executable"
	}
	switch {
	case errors.Is(err, exec.ErrNotFound) && !strings.ContainsRune(name, os.PathSeparator):
		return "not found on PATH"
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist):
		return "not found"
	}
	return "cannot be run: " + err.Error()
}

// process is a running agent: its pipes, its process group and its
// stderr's tail.
type process struct {
	Transport
	cmd      *exec.Cmd
	in, out  *os.File
	tail     *tail
	done     chan struct{} // closed once the process is reaped
	waitErr  error
	exitWait time.Duration
	once     sync.Once
}

// Start starts argv as an agent subprocess and returns its transport
// (Command does it at Init). Closing the transport stops the process (see
// Command). Errors have code EINVALID when the command cannot be started.
func Start(argv []string, opt CommandOptions) (Transport, error) {
	if err := CheckCommand(argv); err != nil {
		return nil, err
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("agentwire: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("agentwire: %w", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = opt.Dir
	cmd.Stdin, cmd.Stdout = inR, outW
	t := &tail{}
	cmd.Stderr = t
	// A child that keeps stderr open after the agent is killed must not
	// hold Wait up.
	cmd.WaitDelay = time.Second
	setGroup(cmd)
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{inR, inW, outR, outW} {
			f.Close()
		}
		return nil, parley.Errorf(parley.EINVALID, "cannot start %q: %v", argv[0], err)
	}
	inR.Close() // the child's ends
	outW.Close()
	p := &process{cmd: cmd, in: inW, out: outR, tail: t, done: make(chan struct{}), exitWait: opt.ExitWait}
	if p.exitWait <= 0 {
		p.exitWait = DefaultExitWait
	}
	go func() { // reap as soon as it exits
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	st := NewStream(outR, inW, p.Close, opt.MaxLine).(*streamTransport)
	st.gone = p.gone
	p.Transport = st
	return p, nil
}

// Pending implements Pender: a line read ahead, or bytes waiting in the
// pipe.
func (p *process) Pending() bool {
	return p.Transport.(Pender).Pending() || unread(p.out) > 0
}

// Pid returns the process id.
func (p *process) Pid() int { return p.cmd.Process.Pid }

// gone words why the agent's output ended: how it exited (waiting a little
// for it) and its last words on stderr.
func (p *process) gone(err error) error {
	what := "closed its output"
	if errors.Is(err, io.ErrUnexpectedEOF) {
		what = "stopped in the middle of a line"
	} else if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
		what = "output failed: " + err.Error()
	}
	select {
	case <-p.done:
		what = exitText(p.waitErr)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			what += " in the middle of a line"
		}
	case <-time.After(200 * time.Millisecond):
	}
	if last := p.tail.last(); last != "" {
		what += " (stderr: " + last + ")"
	}
	return errors.New(what)
}

func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.Exited() {
			return fmt.Sprintf("exited with status %d", ee.ExitCode())
		}
		return "was killed (" + ee.ProcessState.String() + ")"
	}
	if err != nil {
		return "exited: " + err.Error()
	}
	return "exited with status 0"
}

// Close implements Transport: it closes the agent's input, gives it
// ExitWait to exit, kills its process group and reaps it.
func (p *process) Close() error {
	p.once.Do(func() {
		p.in.Close()
		select {
		case <-p.done:
		case <-time.After(p.exitWait):
		}
		p.stop()
	})
	return nil
}

// Kill stops the agent at once: its process group is killed and reaped.
func (p *process) Kill() error {
	p.once.Do(func() {
		p.in.Close()
		p.stop()
	})
	return nil
}

// stop kills the process group (children the agent left behind too),
// waits until the agent is reaped, and closes its output.
func (p *process) stop() {
	killGroup(p.cmd)
	<-p.done
	p.out.Close()
}

// tail keeps the last bytes an agent wrote to stderr.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 4 << 10

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 2*tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	return len(b), nil
}

// last returns the last non-empty line, at most 200 bytes.
func (t *tail) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimRight(t.buf, "\r\n\t "), []byte("\n"))
	s := strings.TrimSpace(string(lines[len(lines)-1]))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}
