package http_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/internal/browser"
	"github.com/parleyhq/parley/internal/shared"
)

// The browser tests drive the pages of 'parley serve' in a real Chromium
// (installed from the Debian package when absent; see internal/browser).
// Screenshots go to $PARLEY_SHOTS, else to parley-shots in the temporary
// directory: they are for people to look at, never committed.

// chrome is one headless Chromium; each page opens in a browser context
// of its own (separate cookies and storage: separate people).
type chrome struct {
	root  context.Context
	shots string
}

func newChrome(t *testing.T) *chrome {
	t.Helper()
	bin := browser.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	if err := chromedp.Do(root); err != nil { // start the browser
		cancelRoot()
		cancelAlloc()
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	dir := os.Getenv("PARLEY_SHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "parley-shots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &chrome{root: root, shots: dir}
}

// tab is one page in its own browser context, with what it received from
// the server: every /api/ response's request and the event stream's data.
type tab struct {
	c    *chrome
	t    *testing.T
	name string
	ctx  context.Context

	mu        sync.Mutex
	responses []network.RequestID
	sse       strings.Builder
}

func (c *chrome) open(t *testing.T, name, url string, width, height int64) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(c.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{c: c, t: t, name: name, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	responses := chromedp.Events(ctx, network.ResponseReceived)
	messages := chromedp.Events(ctx, network.EventSourceMessageReceived)
	go func() {
		for ev, err := range responses {
			if err != nil {
				return
			}
			if strings.Contains(ev.Response.URL, "/api/") && ev.Type != network.ResourceTypeEventSource {
				tb.mu.Lock()
				tb.responses = append(tb.responses, ev.RequestID)
				tb.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			fmt.Fprintf(&tb.sse, "event: %s\ndata: %s\n\n", ev.EventName, ev.Data)
			tb.mu.Unlock()
		}
	}()
	tb.do(chromedp.Navigate(url))
	return tb
}

// do runs actions, failing the test after 20 s.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.shot("failed")
		tb.t.Fatalf("%s: %v\npage text:\n%s", tb.name, err, tb.text("body"))
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("%s: %s: %v", tb.name, js, err)
	}
	return v
}

// wait waits until a JavaScript predicate holds.
func (tb *tab) wait(what, js string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		tb.shot("failed")
		stack, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`window.parleyError || ""`))
		tb.t.Fatalf("%s: waiting for %s: %v\npage text:\n%s\n%s", tb.name, what, err, tb.text("body"), stack)
	}
}

// waitText waits until the element's text contains want.
func (tb *tab) waitText(sel, want string) {
	tb.t.Helper()
	tb.wait(fmt.Sprintf("%s to say %q", sel, want), fmt.Sprintf(`(document.querySelector(%q)||{}).textContent?.includes(%q)`, sel, want))
}

func (tb *tab) text(sel string) string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q)||{}).innerText||""`, sel)))
	return s
}

// click waits for the element to be shown and enabled and clicks it, in
// one step (a page that redraws cannot swap it in between).
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.wait(sel+" enabled", fmt.Sprintf(`(e => e && !e.disabled && e.offsetParent !== null && (e.focus(), e.click(), true))(document.querySelector(%q))`, sel))
}

// choose picks a select's option by value, as a person would (the change
// event fires).
func (tb *tab) choose(sel, value string) {
	tb.t.Helper()
	tb.wait(sel, fmt.Sprintf(`!!document.querySelector(%q)`, sel))
	tb.do(chromedp.SetValue(chromedp.CSS(sel), value), chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event("change"))`, sel)))
}

// shot writes a full-page screenshot.
func (tb *tab) shot(name string) {
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("%s: screenshot: %v", tb.name, err)
		return
	}
	file := filepath.Join(tb.c.shots, strings.ReplaceAll(tb.t.Name(), "/", "-")+"-"+tb.name+"-"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Logf("screenshot: %v", err)
	}
}

// received returns everything the page got from the API: the DOM as it
// stands, every /api/ response body and the event stream's messages.
func (tb *tab) received() string {
	tb.t.Helper()
	var b strings.Builder
	b.WriteString(eval[string](tb, `document.documentElement.outerHTML`))
	tb.mu.Lock()
	ids := append([]network.RequestID(nil), tb.responses...)
	b.WriteString(tb.sse.String())
	tb.mu.Unlock()
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		r, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
		cancel()
		if err == nil {
			b.Write(r.Body)
		}
	}
	return b.String()
}

// severable is a TCP proxy in front of the server whose connections a
// test can cut, as a dropped network does.
type severable struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func sever(t *testing.T, backend string) *severable {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &severable{ln: ln}
	t.Cleanup(func() { ln.Close(); p.cut() })
	addr := strings.TrimPrefix(backend, "http://")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(b, c); b.Close() }()
			go func() { _, _ = io.Copy(c, b); c.Close() }()
		}
	}()
	return p
}

func (p *severable) url() string { return "http://" + p.ln.Addr().String() }

// cut closes every open connection.
func (p *severable) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestPages drives the pages in one Chromium (starting it is most of
// the cost).
func TestPages(t *testing.T) {
	c := newChrome(t)
	t.Run("mediated", func(t *testing.T) { testPagesMediated(t, c) })
	t.Run("student", func(t *testing.T) { testPagesStudent(t, c) })
	t.Run("observer", func(t *testing.T) { testPagesObserver(t, c) })
	t.Run("remote", func(t *testing.T) { testPagesRemote(t, c) })
	t.Run("turn", func(t *testing.T) { testPagesTurn(t, c) })
}

// testPagesMediated runs a whole mediated session in the browser: the
// mediator sets it up in the lobby, the mediator and the two delegations
// work it in three browser contexts of their own (the caucus, the text,
// the answers) to an agreement, and the debrief opens. Then it searches
// each party's DOM, API responses and event stream for what only the other
// side may know.
func testPagesMediated(t *testing.T, c *chrome) {
	s := start(t, "")
	yaml, err := filepath.Abs("testdata/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}

	// The lobby.
	med := c.open(t, "mediator", s.url+"/", 1280, 800)
	med.waitText("#scenario", "istanbul")
	med.do(chromedp.Click(chromedp.CSS(`input[name=source][value=yaml]`)), chromedp.SetUploadFiles(chromedp.CSS("#yaml-file"), []string{yaml}))
	med.click("#preview")
	med.waitText("#seats", "South/Navy")
	med.shot("lobby")
	med.click("#create")
	med.wait("the invite links", `document.querySelectorAll("a.invite").length === 6`)
	med.shot("invites")
	link := func(seat string) string {
		return eval[string](med, fmt.Sprintf(`document.querySelector('a.invite[data-seat=%q]').href`, seat))
	}
	north, south, portLink := link("party:0"), link("party:1"), link("principal:1:0")

	med.do(chromedp.Navigate(link("mediator")))
	n := c.open(t, "north", north, 390, 844) // a phone
	so := c.open(t, "south", south, 1280, 800)
	for _, tb := range []*tab{med, n, so} {
		tb.waitText("#conn", "live")
	}
	med.waitText("#panel-body", "Zone of agreement")

	// A principal instructs its delegation, which sees it.
	port := c.open(t, "port", portLink, 1280, 800)
	port.waitText("#conn", "live")
	port.choose("#instr-kind", "lower_floor")
	port.do(chromedp.SetValue(chromedp.CSS("#instr-delta"), "0.05"))
	port.click("#send-instruction")
	port.waitText("#instr-body", "Sent")
	so.waitText("#instr-body", "Port instructs South: lower floor by 0.05")
	port.shot("principal")

	// The caucus, both ways.
	n.do(chromedp.SendKeys(chromedp.CSS("#caucus-message"), "CAUCUSNORTH we could pay a little"), chromedp.Click(chromedp.CSS("#caucus-send")))
	med.waitText("#caucus-thread", "CAUCUSNORTH")
	med.click("#caucus-tab-1")
	med.do(chromedp.SendKeys(chromedp.CSS("#caucus-message"), "CAUCUSSOUTH what about access?"), chromedp.Click(chromedp.CSS("#caucus-send")))
	so.waitText("#caucus-thread", "CAUCUSSOUTH what about")
	so.do(chromedp.SendKeys(chromedp.CSS("#caucus-message"), "CAUCUSSOUTH never exclusive"), chromedp.Click(chromedp.CSS("#caucus-send")))
	med.waitText("#caucus-thread", "CAUCUSSOUTH never exclusive")

	// A proposal from a party, worth something to it as it builds it.
	n.choose("#prop-1", "1")
	n.waitText("#proposal-utility", "below what you can accept") // the high fee crosses North's red line
	n.choose("#prop-1", "0")
	n.waitText("#proposal-utility", "acceptable")

	// The mediator writes the text; the parties answer clause by clause.
	med.choose("#text-0", "1") // access: shared
	med.choose("#text-1", "0") // fee: low
	med.shot("console")
	med.click("#propose-text")
	for _, tb := range []*tab{n, so} {
		tb.wait("the answer form", `!!document.querySelector("#answer-1")`)
		tb.shot("answering")
		if tb == n {
			// Sending before answering every clause is refused on the page.
			tb.click("#send-answers")
			tb.waitText("#text-body .error", "Answer every clause")
			tb.choose("#answer-0", "accept")
			tb.choose("#answer-1", "accept")
			tb.click("#send-answers")
		} else {
			// By keyboard only: type-ahead in each select, Enter on the button.
			tb.do(chromedp.SendKeys(chromedp.CSS("#answer-0"), "a"), chromedp.SendKeys(chromedp.CSS("#answer-1"), "a"))
			tb.wait("the answers chosen by keyboard", `document.querySelector("#answer-0").value === "accept" && document.querySelector("#answer-1").value === "accept"`)
			tb.do(chromedp.Focus(chromedp.CSS("#send-answers")), chromedp.SendKeys(chromedp.CSS("#send-answers"), "\r"))
		}
		tb.wait("the answers taken", `!document.querySelector("#send-answers")`)
	}
	for _, tb := range []*tab{med, n, so} {
		tb.waitText("#status-body", "agreement")
		tb.waitText("#text-body", "final")
	}
	med.waitText("#debrief-outcome", "Agreement in round 1")
	med.wait("the debrief's charts", `document.querySelectorAll("#debrief svg.chart").length >= 2`)
	n.waitText("#own-body", "0.414") // North's own reservation
	for _, tb := range []*tab{med, n, so} {
		tb.shot("end")
	}

	// Confidentiality: what each party's browser received.
	got := map[string]string{"north": n.received(), "south": so.received()}
	forbidden := map[string][]string{
		"north": {"CAUCUSSOUTH", "SOUTHSECRET", "southsecret", "0.37193", "0.27183", "Zone of agreement", "/analysis"},
		"south": {"CAUCUSNORTH", "NORTHSECRET", "northsecret", "0.41379", "0.61803", "Zone of agreement", "/analysis"},
	}
	allowed := map[string][]string{
		"north": {"CAUCUSNORTH", "0.41379", "event: caucus"},
		"south": {"CAUCUSSOUTH never exclusive", "0.37193", "event: clause"},
	}
	for who, words := range forbidden {
		for _, w := range words {
			if strings.Contains(got[who], w) {
				t.Errorf("%s's browser received %q", who, w)
			}
		}
		for _, w := range allowed[who] {
			if !strings.Contains(got[who], w) {
				t.Errorf("%s's browser lacks %q, which it may see (the search would be vacuous)", who, w)
			}
		}
	}
}

// laptop returns the files of a Genius domain and two profiles: Laptop
// from the shared data, else the small car domain of genius/testdata.
func laptop(t *testing.T) (name, domain string, profiles []string) {
	if d := shared.Dir(); d != "" {
		dir := filepath.Join(d, "data", "genius", "negmas-tests", "Laptop")
		if _, err := os.Stat(dir); err == nil {
			return "laptop", filepath.Join(dir, "Laptop-C-domain.xml"), []string{filepath.Join(dir, "Laptop-C-prof1.xml"), filepath.Join(dir, "Laptop-C-prof2.xml")}
		}
	}
	t.Log("../shared is absent: the student plays the car domain of genius/testdata instead of Laptop")
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	return "car", abs("../genius/testdata/car-domain.xml"), []string{abs("../genius/testdata/car-buyer.xml"), abs("../genius/testdata/car-seller.xml")}
}

// testPagesStudent has a student play alternating offers against boulware
// on Laptop from one link, through a connection the test cuts midway: the
// page reconnects and resumes without losing or repeating an event.
func testPagesStudent(t *testing.T, c *chrome) {
	s := start(t, "")
	name, domain, profiles := laptop(t)
	proxy := sever(t, s.url)
	// The teacher uploads the domain in the lobby and seats boulware.
	lobby := c.open(t, "teacher", s.url+"/", 1280, 800)
	lobby.waitText("#scenario", "istanbul")
	lobby.do(chromedp.Click(chromedp.CSS(`input[name=source][value=genius]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#genius-domain"), []string{domain}),
		chromedp.SetUploadFiles(chromedp.CSS("#genius-profiles"), profiles),
		chromedp.SendKeys(chromedp.CSS("#rounds"), "12"))
	lobby.click("#preview")
	lobby.choose(`select[data-seat="party:1"]`, "agent:boulware")
	lobby.shot("lobby")
	lobby.click("#create")
	lobby.wait("the student's link", `!!document.querySelector('a.invite[data-seat="party:0"]')`)
	link := eval[string](lobby, `document.querySelector('a.invite[data-seat="party:0"]').getAttribute("href")`)
	if eval[bool](lobby, `!!document.querySelector('a.invite[data-seat="party:1"]')`) {
		t.Error("the agent's seat has an invite link")
	}
	id, token, ok := strings.Cut(strings.TrimPrefix(link, s.url+"/s/"), "#t=")
	if !ok {
		t.Fatalf("invite link %q", link)
	}
	st := c.open(t, "student", proxy.url()+"/s/"+id+"#t="+token, 1280, 800)
	st.waitText("#conn", "live")
	st.wait("the bid builder", `!!document.querySelector("#bid-0")`)
	before := st.text("#bid-utility")
	st.choose("#bid-0", eval[string](st, `String((+document.querySelector("#bid-0").value + 1) % document.querySelector("#bid-0").options.length)`))
	st.wait("the utility to change", fmt.Sprintf(`document.querySelector("#bid-utility").innerText !== %q`, before))
	st.shot("builder")
	for round := 0; ; round++ {
		st.wait("its move or the end", `!document.querySelector("#make-offer") || !document.querySelector("#make-offer").disabled`)
		if eval[bool](st, `!document.querySelector("#make-offer")`) {
			break
		}
		if round == 2 {
			// Cut the connection; boulware's answer to the next offer comes
			// while the page is away.
			proxy.cut()
			st.waitText("#conn", "reconnecting")
		}
		if round == 4 && eval[bool](st, `!!document.querySelector("#accept-offer")`) {
			st.click("#accept-offer")
			st.waitText("#status-body", "over")
			continue
		}
		st.click("#make-offer")
		st.wait("boulware's answer", fmt.Sprintf(`document.querySelectorAll("#log-list li[data-type=action]").length > %d`, 2*round+1))
		if round == 2 {
			st.waitText("#conn", "live")
			st.shot("reconnected")
		}
	}
	st.waitText("#status-body", "over")
	st.shot("end")
	seqs := eval[[]int](st, `Array.from(document.querySelectorAll("#log-list li")).map(li => +li.dataset.seq)`)
	seen := map[int]bool{}
	for _, q := range seqs {
		if seen[q] {
			t.Errorf("event %d is in the log twice", q)
		}
		seen[q] = true
	}
	v := s.view(id, token)
	if len(seqs) != len(v.Events) {
		t.Errorf("the page shows %d events, the seat's view has %d", len(seqs), len(v.Events))
	}
	t.Logf("%s vs boulware: %s after %d rounds", name, v.Result.End, v.Result.Rounds)
}
