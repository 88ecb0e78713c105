package browser

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSession drives one page over HTTP as a test of a served page would:
// the window has the width asked for, a script's result comes back, the
// DOM is the one scripts built, and a second navigation works.
func TestSession(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>%s</title><body><p id="p">%s</p><script>document.getElementById("p").dataset.seen = "yes"</script>`, r.URL.Path, r.URL.Path)
	}))
	defer srv.Close()
	b := Start(t, 480, 300)
	for _, path := range []string{"/one", "/two"} {
		b.Navigate(t, srv.URL+path)
		if got := Eval[string](t, b, `document.getElementById("p").textContent`); got != path {
			t.Errorf("page %s: text %q", path, got)
		}
	}
	if got := Eval[int](t, b, "window.innerWidth"); got != 480 {
		t.Errorf("window %d px wide, want 480", got)
	}
	b.Resize(390, 300)
	b.Navigate(t, srv.URL+"/three")
	if got := Eval[int](t, b, "window.innerWidth"); got != 390 {
		t.Errorf("window %d px wide after Resize(390, 300), want 390", got)
	}
	if dom := b.DOM(t); !strings.Contains(dom, `data-seen="yes"`) {
		t.Errorf("the DOM lacks what the script set: %s", dom)
	}
	img, err := png.Decode(bytes.NewReader(b.Screenshot(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Dx(); got != 390 {
		t.Errorf("screenshot %d px wide, want 390", got)
	}
}
