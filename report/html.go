package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
)

// An ImageSource gives the src of a figure's image in index.html.
type ImageSource func(figure string) (template.URL, error)

// LinkPNG refers to <figure>.png next to index.html: the page stays small
// (the images are files of the report directory anyway) and the browser
// loads only what is scrolled to.
func LinkPNG(figure string) (template.URL, error) { return template.URL(figure + ".png"), nil }

type htmlFigure struct {
	Figure
	Src    template.URL
	Header []string
	Rows   [][]string
}

// htmlCell is one table cell with its sort key.
type htmlCell struct {
	Text, Key string
}

type htmlRow struct {
	Cells    []htmlCell
	Warnings []string
}

type htmlPhaseTable struct {
	Cell   string
	Header []string
	Rows   [][]string
}

var htmlPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hsbench report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1360px; padding: 0 1em; color: #222; box-sizing: border-box; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; white-space: nowrap; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; white-space: normal; vertical-align: bottom; }
table.sortable th { cursor: pointer; }
table.sortable th[data-dir="asc"]::after { content: " ▲"; }
table.sortable th[data-dir="desc"]::after { content: " ▼"; }
th.warn { text-align: left; }
td.warn { text-align: left; white-space: normal; min-width: 12em; max-width: 20em; color: #8a4b00; font-size: 0.95em; }
td.warn ul { margin: 0; padding-left: 1.1em; }
tr:nth-child(even) td { background: #fafafa; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
figure { margin: 2em 0; }
figcaption { color: #555; margin: 0.5em 0; }
details { margin: 0.8em 0; }
summary { cursor: pointer; font-weight: 600; }
code { background: #f4f4f4; padding: 0 0.2em; }
</style>
</head>
<body>
<h1>hsbench report</h1>
<ul>
{{range .Runs}}<li>run <code>{{.ID}}</code>: {{.Summary}}</li>
{{end}}</ul>
<h2>Cells</h2>
<p>{{.Head}} Click a column to sort.</p>
<table class="sortable" id="summary">
<thead><tr><th>cell</th>{{range .Header}}<th>{{.}}</th>{{end}}<th class="warn">warnings</th></tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .Cells}}<td data-v="{{.Key}}">{{.Text}}</td>{{end}}<td class="warn" data-v="{{len .Warnings}}">{{if .Warnings}}<ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}</td></tr>
{{end}}</tbody>
</table>
{{if .Notes}}<details{{if le (len .Notes) 4}} open{{end}}>
<summary>Notes ({{len .Notes}}): invalid cells, run warnings, what the report left out</summary>
<ul>
{{range .Notes}}<li>{{.}}</li>
{{end}}</ul>
</details>
{{end}}<h2>Figures</h2>
{{range .Figures}}<figure id="{{.Name}}">
<h3>{{.Title}}</h3>
<a href="{{.Name}}.svg"><img src="{{.Src}}" alt="{{.Title}}"></a>
<figcaption>{{.Caption}}</figcaption>
{{if .Rows}}<details>
<summary>Estimates</summary>
<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
</details>
{{end}}</figure>
{{end}}<h2>Per-phase tables</h2>
<details>
<summary>Every phase of every cell ({{len .Phases}} cells)</summary>
{{range .Phases}}<h3>{{.Cell}}</h3>
<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}</details>
<p>Each cell's {{.Phase}} distribution is in <code>&lt;cell&gt;.hgrm</code> (HdrHistogram percentile format, ms); every phase's percentiles are in <code>{{.CSV}}</code>.</p>
<script>
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], i = th.cellIndex;
    var asc = th.dataset.dir !== "asc";
    th.closest("tr").querySelectorAll("th").forEach(function (o) { delete o.dataset.dir; });
    th.dataset.dir = asc ? "asc" : "desc";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[i].dataset.v, y = b.cells[i].dataset.v;
      var nx = parseFloat(x), ny = parseFloat(y), r;
      if (isNaN(nx) || isNaN(ny)) { r = isNaN(nx) - isNaN(ny) || String(x).localeCompare(String(y)); } else { r = nx - ny; }
      return asc ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
</script>
</body>
</html>
`))

// WriteHTML writes index.html: the summary table first (sortable), notes,
// the figures (images from src) and the per-phase tables, folded.
func WriteHTML(w io.Writer, s *Site, src ImageSource) error {
	type run struct{ ID, Summary string }
	sum := Summarize(s.Cells, s.Phase)
	data := struct {
		Runs       []run
		Head       string
		Header     []string
		Rows       []htmlRow
		Notes      []string
		Figures    []htmlFigure
		Phases     []htmlPhaseTable
		Phase, CSV string
	}{Head: plainHead(sum), Header: sum.Header, Phase: s.Phase, CSV: CSVFile}
	for _, r := range s.Runs {
		data.Runs = append(data.Runs, run{r.ID, runSummary(r)})
	}
	for _, r := range sum.Rows {
		row := htmlRow{Cells: []htmlCell{{Text: r.Cell, Key: r.Cell}}, Warnings: r.Warnings}
		for i, v := range r.Values {
			key := ""
			if !math.IsNaN(r.Keys[i]) {
				key = strconv.FormatFloat(r.Keys[i], 'g', 8, 64)
			}
			row.Cells = append(row.Cells, htmlCell{Text: v, Key: key})
		}
		data.Rows = append(data.Rows, row)
	}
	data.Notes = siteNotes(s)
	for _, f := range s.Figures {
		u, err := src(f.Name)
		if err != nil {
			return err
		}
		hf := htmlFigure{Figure: f, Src: u}
		if len(f.Stats) > 0 {
			hf.Header, hf.Rows = dimHeader(f.Stats), dimRows(f.Stats)
		}
		data.Figures = append(data.Figures, hf)
	}
	for _, c := range s.Cells {
		data.Phases = append(data.Phases, htmlPhaseTable{Cell: c.Name, Header: phaseHeader, Rows: phaseRows(c)})
	}
	if err := htmlPage.Execute(w, data); err != nil {
		return fmt.Errorf("report: writing %s: %w", HTMLFile, err)
	}
	return nil
}
