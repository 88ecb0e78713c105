package agentwire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// A Transport carries the protocol's messages between the engine and one
// agent, in order, each way: a message is one line of JSON. Over a byte
// stream (a subprocess's stdin and stdout, a TCP connection) a message is
// a line ending in "\n"; over a message-based transport (a WebSocket) it
// is one text message.
type Transport interface {
	// Send hands msgs to the agent in order, each one message without
	// its newline. It returns an error when they could not all be
	// written before ctx ended (its deadline bounds a write to an agent
	// that does not read).
	Send(ctx context.Context, msgs ...[]byte) error
	// Recv returns the agent's next message, without its newline; the
	// slice is valid until the next Recv. An error is final: the agent
	// is gone or broke the framing (a line over the limit), and the error
	// says so in words ("exited with status 1: ...").
	Recv(ctx context.Context) ([]byte, error)
	// Close releases the transport (a subprocess is stopped and reaped);
	// Send and Recv fail afterwards. It may be called more than once.
	Close() error
}

// DefaultMaxLine bounds a line an agent writes: a reply is a few numbers
// per issue, so 1 MiB is generous, and a runaway agent cannot make the
// engine buffer without bound.
const DefaultMaxLine = 1 << 20

// ErrLineTooLong is the fault of an agent that wrote a line longer than
// the limit.
var ErrLineTooLong = errors.New("line too long")

// lineReader reads lines of at most max bytes from a buffered stream,
// without copying lines that fit its buffer.
type lineReader struct {
	br  *bufio.Reader
	max int
	buf []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	if max <= 0 {
		max = DefaultMaxLine
	}
	return &lineReader{br: bufio.NewReaderSize(r, min(64<<10, max+1)), max: max}
}

// next returns the next non-empty line without its "\n" (or "\r\n"). A
// line over the limit is ErrLineTooLong (what follows is not read); a
// stream that ends in the middle of a line returns io.ErrUnexpectedEOF.
func (l *lineReader) next() ([]byte, error) {
	for {
		line, err := l.line()
		if err != nil || len(line) > 0 {
			return line, err
		}
	}
}

func (l *lineReader) line() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		frag, err := l.br.ReadSlice('\n')
		if len(l.buf)+len(frag) > l.max+1 {
			return nil, fmt.Errorf("%w: wrote a line longer than %d bytes", ErrLineTooLong, l.max)
		}
		switch {
		case err == nil:
			line := frag
			if len(l.buf) > 0 {
				l.buf = append(l.buf, frag...)
				line = l.buf
			}
			line = line[:len(line)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.buf = append(l.buf, frag...)
		default:
			if len(l.buf)+len(frag) > 0 && errors.Is(err, io.EOF) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// deadliner is a stream whose writes can be given a deadline (*os.File
// pipes, net.Conn).
type deadliner interface {
	SetWriteDeadline(t time.Time) error
}

// streamTransport is a Transport over a byte stream: newline-framed
// messages, buffered writes (one write per Send), bounded lines.
type streamTransport struct {
	rd    io.Reader // the stream read, for its deadlines
	r     *lineReader
	w     io.Writer
	bw    *bufio.Writer
	close func() error
	gone  func(err error) error // words the end of the stream, if set
}

// NewStream returns a Transport over a byte stream: messages are lines
// read from r and written to w; close (may be nil) releases the stream.
// Lines longer than maxLine bytes (0: DefaultMaxLine) end the
// conversation. When w and r take deadlines (pipes from os.Pipe, a
// net.Conn), Send and Recv honour ctx's deadline and cancellation;
// otherwise they block until the peer reads or writes.
func NewStream(r io.Reader, w io.Writer, close func() error, maxLine int) Transport {
	return &streamTransport{rd: r, r: newLineReader(r, maxLine), w: w, bw: bufio.NewWriterSize(w, 16<<10), close: close}
}

func (s *streamTransport) Send(ctx context.Context, msgs ...[]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := s.w.(deadliner); ok {
		dl, _ := ctx.Deadline()
		_ = d.SetWriteDeadline(dl) // the zero time: no deadline
	}
	for _, m := range msgs {
		s.bw.Write(m)
		s.bw.WriteByte('\n')
	}
	err := s.bw.Flush()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("did not read its input: %w", context.DeadlineExceeded)
	}
	return err
}

// readDeadliner is a stream whose reads can be given a deadline.
type readDeadliner interface {
	SetReadDeadline(t time.Time) error
}

// Recv implements Transport. When the stream takes read deadlines, ctx's
// deadline and cancellation end a read that waits (with ctx's error); a
// read that times out in the middle of a line leaves the stream unusable.
func (s *streamTransport) Recv(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rd, ok := s.rd.(readDeadliner); ok && s.r.br.Buffered() == 0 {
		dl, _ := ctx.Deadline()
		_ = rd.SetReadDeadline(dl)
		if ctx.Done() != nil {
			stop := context.AfterFunc(ctx, func() { _ = rd.SetReadDeadline(time.Unix(1, 0)) })
			defer stop()
		}
	}
	line, err := s.r.next()
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, context.DeadlineExceeded
	}
	if err != nil && s.gone != nil && !errors.Is(err, ErrLineTooLong) {
		err = s.gone(err)
	}
	return line, err
}

// Pending implements Pender: whether a message (or part of one) has been
// read ahead and not yet received.
func (s *streamTransport) Pending() bool { return s.r.br.Buffered() > 0 }

func (s *streamTransport) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}
