// Package browser finds (or installs) a real Chromium for tests of the
// HTML pages, and renders pages with it headless.
package browser

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	once sync.Once
	path string
	why  string
)

// Chromium returns the path of a Chromium binary. When none is installed
// and the test runs as root on a Debian-like system, it installs the
// Debian package (apt-get install -y chromium), as the project's brief
// asks; otherwise it skips the test with a loud message saying why.
func Chromium(t testing.TB) string {
	t.Helper()
	once.Do(func() { path, why = find() })
	if path == "" {
		t.Skipf("SKIPPED: no Chromium for the browser test: %s", why)
	}
	return path
}

func find() (string, string) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return unwrap(p), ""
		}
	}
	if os.Geteuid() != 0 {
		return "", "not installed, and installing it needs root (apt-get install -y chromium)"
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", "not installed, and there is no apt-get to install it"
	}
	install := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "chromium")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.Run()
	}
	if err := install(); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		_ = exec.CommandContext(ctx, "apt-get", "update").Run()
		if err := install(); err != nil {
			return "", "apt-get install -y chromium failed: " + err.Error()
		}
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		return "", "apt-get installed chromium but it is not on PATH"
	}
	return unwrap(p), ""
}

// debianChromium is the browser binary behind Debian's launcher script.
const debianChromium = "/usr/lib/chromium/chromium"

// unwrap returns the Chromium binary behind p when p is Debian's launcher
// (a shell script), and p otherwise. The launcher sources
// /etc/chromium.d, whose test of /dev/shm's free space is a shell
// syntax error when findmnt prints more than one line, which happened
// when two test packages started browsers at once; the tests pass the
// flags they need (--disable-dev-shm-usage among them) themselves.
func unwrap(p string) string {
	head := make([]byte, 2)
	f, err := os.Open(p)
	if err != nil {
		return p
	}
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "#!" {
		return p
	}
	if st, err := os.Stat(debianChromium); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return debianChromium
	}
	return p
}

// Render loads the HTML file at file in headless Chromium and returns the
// DOM as the browser built it, and a screenshot (PNG) of the page at the
// given window size.
func Render(t testing.TB, file string, width, height int) (dom string, png []byte) {
	t.Helper()
	bin := Chromium(t)
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	url := "file://" + abs
	dir := t.TempDir()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-extensions", "--user-data-dir=" + filepath.Join(dir, "profile")}
	run := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var out, errb bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, append(append([]string(nil), base...), args...)...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
		}
		return out.Bytes()
	}
	shot := filepath.Join(dir, "shot.png")
	// One launch does both: starting Chromium is most of the cost.
	dom = string(run("--dump-dom", "--screenshot="+shot, "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height), "--hide-scrollbars", url))
	png, err = os.ReadFile(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	return dom, png
}
