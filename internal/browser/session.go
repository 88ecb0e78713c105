package browser

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// A Browser is one headless Chromium with one tab, driven over the
// DevTools protocol (chromedp), for tests that look at many pages: it
// starts once, and each page then costs a load, not a launch. Its window
// is width×height CSS pixels (the pages' media queries see that width).
// Each Browser has a profile of its own, so that a test with several
// people at once (a mediator and two delegations) starts one per person:
// their cookies and storage are apart.
//
//	b := browser.Start(t, 1280, 800)
//	b.Navigate(t, srv.URL+"/lobby")
//	n := browser.Eval[int](t, b, `document.querySelectorAll("li").length`)
//	png := b.Screenshot(t)
//
// For what these calls do not cover (clicks, typing, waiting for a
// selector), run chromedp actions on Context. A Browser is not safe for
// concurrent use; two Browsers are.
//
// One tab each, because with chromedp v0.23 a second tab of one browser
// (chromedp.NewContext on a started one) loads its first page but then
// hangs on the next navigation or evaluation.
type Browser struct {
	ctx           context.Context
	width, height int64
}

// Timeout bounds each call: a page that does not load or a script that
// does not return fails the test instead of hanging it.
const Timeout = 60 * time.Second

// Start starts a headless Chromium (found or installed by Chromium; the
// test is skipped, with the reason, when there is none) with a window of
// width×height CSS pixels. The test's cleanup stops it.
func Start(t testing.TB, width, height int) *Browser {
	t.Helper()
	bin := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("disable-component-update", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser, which lives as long as the
	// context it is started on: ctx itself, not one with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium %s: %v", bin, err)
	}
	return &Browser{ctx: ctx, width: int64(width), height: int64(height)}
}

// Resize sets the window to width×height CSS pixels for the pages
// Navigate loads from now on (one browser can look at a page at a
// laptop's width and then at a phone's).
func (b *Browser) Resize(width, height int) { b.width, b.height = int64(width), int64(height) }

// Context is the chromedp context of the browser's tab, for actions beyond
// these: chromedp.Do(b.Context(), chromedp.Click("#send")).
func (b *Browser) Context() context.Context { return b.ctx }

// Navigate loads url (http://, https://, file://, or the path of a local
// file) and waits until its body is ready.
func (b *Browser) Navigate(t testing.TB, url string) {
	t.Helper()
	if !strings.Contains(url, "://") {
		abs, err := filepath.Abs(url)
		if err != nil {
			t.Fatal(err)
		}
		url = "file://" + abs
	}
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(b.width, b.height), chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
}

// Eval evaluates a JavaScript expression in the page loaded last and
// decodes its result (by value, as JSON) into a T.
func Eval[T any](t testing.TB, b *Browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %.80q: %v", expr, err)
	}
	return v
}

// DOM returns the page's DOM as the browser built it (scripts run).
func (b *Browser) DOM(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML("html"))
	if err != nil {
		t.Fatalf("reading the DOM: %v", err)
	}
	return html
}

// Screenshot returns a PNG of the whole page, as tall as it is, at the
// window's width. The encoding favours speed over size: a long page at
// the best compression costs seconds.
func (b *Browser) Screenshot(t testing.TB) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	yes := true
	png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		// The page as tall as it is now (a script may have changed it).
		lm, err := cdp.Call(ctx, tg, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		params := page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: &yes, FromSurface: &yes, OptimizeForSpeed: &yes}
		if cs := lm.CSSContentSize; cs != nil {
			params.Clip = &page.Viewport{X: 0, Y: 0, Width: float64(b.width), Height: cs.Height, Scale: 1}
		}
		r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, params)
		return r.Data, err
	})
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}
