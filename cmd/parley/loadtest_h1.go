package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strconv"
	"strings"
	"time"
)

// This file holds the load test's own HTTP/1.1 client. The load generator
// shares the machine with the servers it measures, so it should weigh
// little next to them (as wrk does): net/http's client runs two goroutines
// per connection besides the caller's and hands each request and answer
// between them, which cost the generator about as much CPU per action as
// the server spent answering it. An h1Conn is one kept-alive connection
// used by one goroutine at a time: it writes a request in one write and
// reads the answer itself.

// maxAnswer bounds the body of an answer the load test reads.
const maxAnswer = 1 << 20

// h1Conn is a kept-alive HTTP/1.1 connection to one server, used by one
// goroutine at a time; it dials again when the server closed it.
type h1Conn struct {
	base string // http://HOST:PORT
	host string // HOST:PORT
	c    net.Conn
	br   *bufio.Reader
	stop func() bool // undoes the context.AfterFunc that unblocks c
	req  []byte      // the request being written, reused
	body []byte      // the last answer's body, reused: valid until the next request
}

func newH1Conn(base string) *h1Conn {
	return &h1Conn{base: base, host: strings.TrimPrefix(base, "http://")}
}

// h1Client holds a slot's connections, one per server.
type h1Client map[string]*h1Conn

// do sends a request to url (which starts with one of the servers' base
// URLs) on the slot's connection to that server and returns the answer's
// body (valid until the next request to that server) and status.
func (hc h1Client) do(ctx context.Context, method, url, token string, body []byte) ([]byte, int, error) {
	base, path := splitURL(url)
	h := hc[base]
	if h == nil {
		h = newH1Conn(base)
		hc[base] = h
	}
	return h.do(ctx, method, path, token, body)
}

// close closes the slot's connections.
func (hc h1Client) close() {
	for _, h := range hc {
		h.close()
	}
}

// splitURL cuts http://HOST:PORT/PATH into http://HOST:PORT and /PATH.
func splitURL(url string) (base, path string) {
	rest := strings.TrimPrefix(url, "http://")
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return url, "/"
	}
	return url[:len(url)-len(rest)+i], rest[i:]
}

func (h *h1Conn) dial(ctx context.Context) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", h.host)
	if err != nil {
		return err
	}
	h.c, h.br = c, bufio.NewReaderSize(c, 16<<10)
	// A run cut short (an interrupt) or a stream let go unblocks what
	// waits on c.
	h.stop = context.AfterFunc(ctx, func() { _ = c.Close() })
	return nil
}

func (h *h1Conn) close() {
	if h.c != nil {
		h.stop()
		_ = h.c.Close()
		h.c, h.br = nil, nil
	}
}

// do sends one request and reads its answer, within requestTimeout. A GET
// on a kept-alive connection that the server closed before answering
// anything is sent again on a new one (as net/http does for idempotent
// requests); anything else that fails closes the connection and is
// returned: a POST whose answer was lost may or may not have been acted
// on, and the caller counts it so.
func (h *h1Conn) do(ctx context.Context, method, path, token string, body []byte) ([]byte, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	for try := 0; ; try++ {
		reused := h.c != nil
		if !reused {
			if err := h.dial(ctx); err != nil {
				return nil, 0, err
			}
		}
		status, started, keep, err := h.roundTrip(method, path, token, body)
		if err != nil || !keep {
			h.close()
		}
		if err != nil && reused && !started && method == "GET" && try == 0 {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s %s%s: %w", method, h.base, path, err)
		}
		return h.body, status, nil
	}
}

// roundTrip writes the request and reads the answer into h.body. started
// says whether any of the answer came; keep whether the connection may be
// used again.
func (h *h1Conn) roundTrip(method, path, token string, body []byte) (status int, started, keep bool, err error) {
	b := append(h.req[:0], method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, h.host...)
	b = append(b, "\r\nUser-Agent: parley-loadtest\r\n"...)
	if token != "" {
		b = append(b, "Authorization: Bearer "...)
		b = append(b, token...)
		b = append(b, "\r\n"...)
	}
	if body != nil || method == "POST" {
		b = append(b, "Content-Type: application/json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, body...)
	h.req = b
	if err := h.c.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		return 0, false, false, err
	}
	if _, err := h.c.Write(b); err != nil {
		return 0, false, false, err
	}
	if _, err := h.br.Peek(1); err != nil {
		return 0, false, false, err
	}
	hd, err := readH1Head(h.br)
	if err != nil {
		return 0, true, false, err
	}
	h.body, err = hd.readBody(h.br, h.body[:0])
	return hd.status, true, err == nil && !hd.close, err
}

// h1Head is what the load test reads of an answer's status line and
// header.
type h1Head struct {
	status  int
	length  int64 // Content-Length; −1: none
	chunked bool
	close   bool // Connection: close
}

// readH1Head reads an answer's status line and header.
func readH1Head(br *bufio.Reader) (h1Head, error) {
	hd := h1Head{length: -1}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return hd, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return hd, fmt.Errorf("not an HTTP/1.x status line: %q", line)
	}
	if hd.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return hd, fmt.Errorf("status line %q: %w", line, err)
	}
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return hd, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return hd, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return hd, fmt.Errorf("header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			if hd.length, err = strconv.ParseInt(string(value), 10, 64); err != nil || hd.length < 0 {
				return hd, fmt.Errorf("Content-Length %q", value)
			}
		case asciiEqualFold(name, "Transfer-Encoding"):
			hd.chunked = asciiEqualFold(value, "chunked")
			if !hd.chunked {
				return hd, fmt.Errorf("Transfer-Encoding %q", value)
			}
		case asciiEqualFold(name, "Connection"):
			hd.close = asciiEqualFold(value, "close")
		}
	}
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i]|0x20, s[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// readBody appends the answer's body to buf, at most maxAnswer bytes.
func (hd *h1Head) readBody(br *bufio.Reader, buf []byte) ([]byte, error) {
	var r io.Reader
	switch {
	case hd.status/100 == 1 || hd.status == 204 || hd.status == 304:
		return buf, nil
	case hd.chunked:
		r = httputil.NewChunkedReader(br)
	case hd.length >= 0:
		if hd.length > maxAnswer {
			return buf, fmt.Errorf("an answer of %d bytes, more than the %d the load test reads", hd.length, maxAnswer)
		}
		n := int(hd.length)
		buf = append(buf, make([]byte, n)...)
		_, err := io.ReadFull(br, buf[len(buf)-n:])
		return buf, err
	default: // the body ends with the connection
		hd.close = true
		r = br
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > maxAnswer {
			return buf, fmt.Errorf("an answer of more than the %d bytes the load test reads", maxAnswer)
		}
		if errors.Is(err, io.EOF) {
			if hd.chunked {
				return buf, skipTrailer(br)
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// skipTrailer reads the trailer of a chunked body, up to its empty line.
func skipTrailer(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}

// h1Stream opens an event stream on a connection of its own: it sends
// the GET and reads the answer's head; the caller reads the body (chunked
// Server-Sent Events) from the returned reader, and closes it (or ends
// ctx) to let go.
func h1Stream(ctx context.Context, base, path, token string, last int64) (io.ReadCloser, error) {
	h := newH1Conn(base)
	if err := h.dial(ctx); err != nil {
		return nil, err
	}
	b := fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: parley-loadtest\r\nAccept: text/event-stream\r\nAuthorization: Bearer %s\r\n", path, h.host, token)
	if last >= 0 {
		b = fmt.Appendf(b, "Last-Event-ID: %d\r\n", last)
	}
	b = append(b, "\r\n"...)
	fail := func(err error) (io.ReadCloser, error) {
		h.close()
		return nil, err
	}
	if err := h.c.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		return fail(err)
	}
	if _, err := h.c.Write(b); err != nil {
		return fail(err)
	}
	hd, err := readH1Head(h.br)
	if err != nil {
		return fail(err)
	}
	if hd.status != 200 {
		msg, _ := hd.readBody(h.br, nil)
		return fail(fmt.Errorf("%d %s", hd.status, bytes.TrimSpace(msg)))
	}
	if !hd.chunked {
		return fail(errors.New("an event stream that is not chunked"))
	}
	if err := h.c.SetDeadline(time.Time{}); err != nil { // a stream lasts
		return fail(err)
	}
	return &h1Body{r: httputil.NewChunkedReader(h.br), h: h}, nil
}

// h1Body is an event stream's body; Close closes its connection.
type h1Body struct {
	r io.Reader
	h *h1Conn
}

func (b *h1Body) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *h1Body) Close() error {
	b.h.close()
	return nil
}
