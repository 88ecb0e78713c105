package report

import (
	"embed"
	"html/template"
	"io"
	"sync"
)

// This file loads the pages' templates, embedded in the binary: one per
// page (analysis.html, simulation.html), the charts they share
// (charts.html) and the stylesheet (style.css), which every page inlines so
// that a page stands alone.

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed templates/style.css
var styleSheet string

// page is what every page's view carries: the shared stylesheet.
type page struct {
	CSS template.CSS
}

func newPage() page { return page{CSS: template.CSS(styleSheet)} }

// templates are parsed on first use rather than at program start: commands
// that render no HTML do not pay for it.
var templates = sync.OnceValue(func() *template.Template {
	funcs := template.FuncMap{
		"c":   coord,
		"add": func(a, b float64) float64 { return a + b },
		"sub": func(a, b float64) float64 { return a - b },
	}
	return template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
})

// render executes the named page template.
func render(w io.Writer, name string, data any) error {
	return templates().ExecuteTemplate(w, name, data)
}
