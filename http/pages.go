package http

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// The pages of a session (issue 11) are static files embedded in the
// binary: plain HTML, CSS and JavaScript with no library and no build
// step. They talk to the JSON API and the event stream like any client;
// a seat page carries its token in the URL fragment (#t=TOKEN), which
// browsers never send to the server.

//go:embed assets
var assetFS embed.FS

// pageCSP keeps the pages to their own scripts and styles: no inline
// script, nothing from elsewhere.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pages adds the routes of the browser pages to mux.
func (s *Server) pages(mux *http.ServeMux) {
	assets, _ := fs.Sub(assetFS, "assets") // the embedded directory is there
	files := http.FileServerFS(assets)
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := fs.ReadFile(assets, name)
			if err != nil {
				s.error(w, r, err)
				return
			}
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", pageCSP)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cache-Control", "no-cache")
			_, _ = w.Write(b)
		}
	}
	mux.HandleFunc("GET /{$}", page("lobby.html"))
	mux.HandleFunc("GET /s/{id}", page("seat.html"))
	mux.HandleFunc("GET /play", page("play.html"))
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") || strings.HasSuffix(r.URL.Path, ".html") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})))
}
