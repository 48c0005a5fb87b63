package report

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
)

// An ImageSource gives the src of a figure's image in index.html.
type ImageSource func(figure string) (template.URL, error)

// embedPNG inlines dir/<figure>.png as a data URL, so index.html stands
// alone (it can be mailed or attached to a CI run without the PNGs).
func embedPNG(dir string) ImageSource {
	return func(figure string) (template.URL, error) {
		b, err := os.ReadFile(filepath.Join(dir, figure+".png"))
		if err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b)), nil
	}
}

// LinkPNG refers to <figure>.png next to index.html instead of inlining it.
func LinkPNG(figure string) (template.URL, error) { return template.URL(figure + ".png"), nil }

type htmlFigure struct {
	Figure
	Src    template.URL
	Header []string
	Rows   [][]string
}

var htmlPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hsbench report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
tr:nth-child(even) td { background: #fafafa; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
figure { margin: 2em 0; }
figcaption { color: #555; margin: 0.5em 0; }
code { background: #f4f4f4; padding: 0 0.2em; }
</style>
</head>
<body>
<h1>hsbench report</h1>
<ul>
{{range .Runs}}<li>run <code>{{.ID}}</code>: {{.Summary}}</li>
{{end}}</ul>
<h2>Cells</h2>
<p>Latencies in ms. <code>total</code> runs from the start of an attempt to the first response byte, <code>handshake</code> is <code>tls_handshake</code>; n counts successful handshakes, mismatched samples are counted apart and left out of every figure.</p>
<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{if .Notes}}<ul>
{{range .Notes}}<li>{{.}}</li>
{{end}}</ul>
{{end}}<h2>Figures</h2>
{{range .Figures}}<figure id="{{.Name}}">
<h3>{{.Title}}</h3>
<img src="{{.Src}}" alt="{{.Title}}">
<figcaption>{{.Caption}}</figcaption>
{{if .Rows}}<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}</figure>
{{end}}<p>Each cell's {{.Phase}} distribution is in <code>&lt;cell&gt;.hgrm</code> (HdrHistogram percentile format, ms); every phase's percentiles are in <code>{{.CSV}}</code>.</p>
</body>
</html>
`))

// WriteHTML writes index.html: the same content as report.md in one page,
// with each figure's image from src.
func WriteHTML(w io.Writer, s *Site, src ImageSource) error {
	type run struct{ ID, Summary string }
	data := struct {
		Runs       []run
		Header     []string
		Rows       [][]string
		Notes      []string
		Figures    []htmlFigure
		Phase, CSV string
	}{Header: cellTableHeader, Rows: cellRows(s.Cells), Phase: s.Phase, CSV: CSVFile}
	for _, r := range s.Runs {
		data.Runs = append(data.Runs, run{r.ID, runSummary(r)})
		data.Notes = append(data.Notes, SkippedLines(r.Invalid)...)
		for _, warn := range r.Warnings {
			data.Notes = append(data.Notes, "warning: "+warn)
		}
	}
	for _, n := range s.Notes {
		data.Notes = append(data.Notes, "note: "+n)
	}
	for _, f := range s.Figures {
		u, err := src(f.Name)
		if err != nil {
			return err
		}
		hf := htmlFigure{Figure: f, Src: u}
		if f.Stats != nil {
			hf.Header, hf.Rows = dimHeader(f.Stats), dimRows(f.Stats)
		}
		data.Figures = append(data.Figures, hf)
	}
	if err := htmlPage.Execute(w, data); err != nil {
		return fmt.Errorf("report: writing %s: %w", HTMLFile, err)
	}
	return nil
}
