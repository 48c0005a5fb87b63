package report

import (
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hsbench/hsbench/report/plot"
	"github.com/hsbench/hsbench/report/slo"
	"github.com/hsbench/hsbench/results"
)

// A CapacitySite is the report of a capacity search: per cell the hockey
// stick, then achieved against offered rate and CPU per handshake for all
// cells, and the tables of steps and answers.
type CapacitySite struct {
	Cap     *results.Capacity
	Figures []Figure
}

// BuildCapacity plans the figures of a capacity search.
func BuildCapacity(c *results.Capacity) (*CapacitySite, error) {
	s := &CapacitySite{Cap: c}
	sloMS, sloLabel := latencyBudget(c.Config.SLO)
	var curves []plot.Curve
	for _, cv := range c.Curves {
		if len(cv.Steps) == 0 {
			continue
		}
		pc := curveOf(cv)
		curves = append(curves, pc)
		title := "Latency against offered rate: " + cv.Cell
		s.Figures = append(s.Figures, Figure{
			Name: "hockey-" + fileSafe(cv.Cell), Title: title,
			Caption: "Latency from each handshake's intended start (p50, p99, p99.9; log scale) at each offered rate, " +
				"one point per step (a cross: the step failed), lines through the mean at each rate; " +
				"the SLO as a horizontal line, the knee (the highest rate that held) as a vertical one.",
			draw: func(prefix string) error {
				return plot.HockeyStick(pc, plot.HockeyOptions{Title: title, SLO: sloMS, SLOLabel: sloLabel}, prefix)
			},
		})
	}
	if len(curves) == 0 {
		return s, nil
	}
	s.Figures = append(s.Figures,
		Figure{Name: "achieved", Title: "Achieved against offered rate",
			Caption: "Successful handshakes per second against the offered rate; below the diagonal the target (or the generator) fell behind.",
			draw:    func(prefix string) error { return plot.AchievedVsOffered(curves, "", prefix) }},
		Figure{Name: "cpu", Title: "CPU per handshake against offered rate",
			Caption: "CPU time per handshake of the target (when measured) and of hsbench, each step's CPU divided by every handshake it ran, warm-up included.",
			draw:    func(prefix string) error { return plot.CPUPerHandshake(curves, "", prefix) }},
	)
	return s, nil
}

// latencyBudget returns the first objective on the latency phase, the one
// the hockey stick draws, in ms with its text.
func latencyBudget(objs []string) (float64, string) {
	for _, s := range objs {
		if o, err := slo.Parse(s); err == nil && o.Phase == "latency" {
			return float64(o.Limit) / 1e6, "SLO " + o.String()
		}
	}
	return 0, ""
}

func curveOf(cv results.Curve) plot.Curve {
	pc := plot.Curve{Label: cv.Cell, Knee: cv.Answer.RatePS, Failed: cv.Answer.FailedPS}
	for _, s := range cv.Steps {
		if s.Cut {
			continue
		}
		pc.Points = append(pc.Points, plot.CurvePoint{Offered: s.OfferedPS, Achieved: s.AchievedPS,
			P50: s.Latency.P50, P99: s.Latency.P99, P999: s.Latency.P999,
			ClientCPU: s.CPU.ClientPerHandshakeMS, TargetCPU: s.CPU.TargetPerHandshakeMS, Held: s.Held})
	}
	return pc
}

// Write draws the figures and writes report.md and index.html into dir.
func (s *CapacitySite) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var files []string
	for _, f := range s.Figures {
		if err := f.draw(filepath.Join(dir, f.Name)); err != nil {
			return files, fmt.Errorf("report: %s: %w", f.Name, err)
		}
		files = append(files, f.Name+".png", f.Name+".svg")
	}
	for _, out := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{MarkdownFile, func(w io.Writer) error { return WriteCapacityMarkdown(w, s) }},
		{HTMLFile, func(w io.Writer) error { return WriteCapacityHTML(w, s, LinkPNG) }},
	} {
		var b strings.Builder
		if err := out.write(&b); err != nil {
			return files, err
		}
		if err := os.WriteFile(filepath.Join(dir, out.name), []byte(b.String()), 0o644); err != nil {
			return files, fmt.Errorf("report: %w", err)
		}
		files = append(files, out.name)
	}
	return files, nil
}

// capacitySummary describes the search in one line.
func capacitySummary(c *results.Capacity) string {
	cf, e := c.Config, c.Environment
	s := fmt.Sprintf("target %s; %s, errors ≤ %g%%, achieved ≥ %g%% of offered; budget %gs, steps ≥ %gs after %gs warm-up, up to %d in flight",
		cf.Target, strings.Join(cf.SLO, ", "), 100*cf.MaxErrorRate, 100*cf.MinAchieved, cf.BudgetMS/1e3, cf.StepMS/1e3, cf.WarmupMS/1e3, cf.Concurrency)
	if cf.TargetCPU != "" {
		s += "; target CPU from " + cf.TargetCPU
	}
	if e.Go != "" {
		s += fmt.Sprintf("; hsbench %s, %s, %s × %d, network %s", e.HsbenchVersion, e.Go, e.CPUModel, e.CPUs, e.Network)
	}
	if c.Interrupted {
		s += "; INTERRUPTED (partial results)"
	} else if !c.Complete {
		s += "; incomplete"
	}
	return s
}

var answerHeader = []string{"cell", "max sustainable (/s)", "knee in (/s)", "knee reason", "target CPU (ms/hs)", "hs/s per target core", "client CPU (ms/hs)", "search (s)", "stop"}

func answerRows(c *results.Capacity) [][]string {
	var rows [][]string
	for _, cv := range c.Curves {
		a := cv.Answer
		knee := "–"
		switch {
		case a.RatePS > 0 && a.FailedPS > 0:
			knee = fmt.Sprintf("[%g, %g)", a.RatePS, a.FailedPS)
		case a.FailedPS > 0:
			knee = fmt.Sprintf("below %g", a.FailedPS)
		case a.RatePS > 0:
			knee = fmt.Sprintf("≥ %g", a.RatePS)
		}
		tgt, core := "–", "–"
		if a.CPU.TargetPerHandshakeMS > 0 {
			tgt, core = fmt.Sprintf("%.3f", a.CPU.TargetPerHandshakeMS), fmt.Sprintf("%.0f", a.CPU.HandshakesPerTargetCore)
		}
		rows = append(rows, []string{cv.Cell, fmt.Sprintf("%g", a.RatePS), knee, orDash(a.Reason), tgt, core,
			fmt.Sprintf("%.3f", a.CPU.ClientPerHandshakeMS), fmt.Sprintf("%.1f", a.SearchMS/1e3), a.Stop})
	}
	return rows
}

var stepHeader = []string{"step", "kind", "offered (/s)", "achieved (/s)", "p50", "p99", "p99.9", "errors", "client ms/hs", "target ms/hs", "hs/s per target core", "verdict", "run"}

func stepRows(cv results.Curve) [][]string {
	var rows [][]string
	for _, s := range cv.Steps {
		tgt, core := "–", "–"
		if s.CPU.TargetPerHandshakeMS > 0 {
			tgt, core = fmt.Sprintf("%.3f", s.CPU.TargetPerHandshakeMS), fmt.Sprintf("%.0f", s.CPU.HandshakesPerTargetCore)
		}
		v := "held"
		switch {
		case s.Cut:
			v = "cut"
		case !s.Held:
			v = "FAIL: " + s.Reason
		}
		rows = append(rows, []string{fmt.Sprint(s.Index + 1), s.Kind, fmt.Sprintf("%g", s.OfferedPS), fmt.Sprintf("%.0f", s.AchievedPS),
			num(s.Latency.P50), num(s.Latency.P99), num(s.Latency.P999), fmt.Sprintf("%.2f%%", 100*s.ErrorRate),
			fmt.Sprintf("%.3f", s.CPU.ClientPerHandshakeMS), tgt, core, v, s.Run})
	}
	return rows
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// WriteCapacityMarkdown writes report.md of a capacity search.
func WriteCapacityMarkdown(w io.Writer, s *CapacitySite) error {
	c := s.Cap
	ew := &errWriter{w: w}
	ew.printf("# hsbench capacity report\n\n- search `%s`: %s\n\n## Answers\n\n", c.ID, capacitySummary(c))
	writeMDTable(ew, answerHeader, answerRows(c), 1)
	for _, cv := range c.Curves {
		if cv.Answer.Detail != "" {
			ew.printf("- %s: knee reason %s: %s\n", cv.Cell, cv.Answer.Reason, cv.Answer.Detail)
		}
	}
	for _, warn := range c.Warnings {
		ew.printf("- warning: %s\n", warn)
	}
	for _, line := range SkippedLines(c.Invalid) {
		ew.printf("- %s\n", line)
	}
	ew.printf("\n## Steps\n\nLatency in ms from each handshake's intended start; each step is an ordinary run directory (`run`).\n")
	for _, cv := range c.Curves {
		ew.printf("\n### %s\n\n", cv.Cell)
		writeMDTable(ew, stepHeader, stepRows(cv), 2)
	}
	ew.printf("## Figures\n")
	for _, f := range s.Figures {
		ew.printf("\n### %s\n\n![%s](%s.png)\n\n%s\n", f.Title, f.Name, f.Name, f.Caption)
	}
	return ew.err
}

var capacityPage = template.Must(template.New("capacity").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hsbench capacity report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
figure { margin: 2em 0; }
figcaption { color: #555; margin: 0.5em 0; }
</style>
</head>
<body>
<h1>hsbench capacity report</h1>
<p>search <code>{{.ID}}</code>: {{.Summary}}</p>
<h2>Answers</h2>
<table>
<tr>{{range .AnswerHeader}}<th>{{.}}</th>{{end}}</tr>
{{range .Answers}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{if .Notes}}<ul>
{{range .Notes}}<li>{{.}}</li>
{{end}}</ul>
{{end}}<h2>Steps</h2>
<p>Latency in ms from each handshake's intended start; each step is an ordinary run directory (run).</p>
{{range .Curves}}<h3>{{.Cell}}</h3>
<table>
<tr>{{range $.StepHeader}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}<h2>Figures</h2>
{{range .Figures}}<figure id="{{.Name}}">
<h3>{{.Title}}</h3>
<img src="{{.Src}}" alt="{{.Title}}">
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}</body>
</html>
`))

// WriteCapacityHTML writes index.html of a capacity search.
func WriteCapacityHTML(w io.Writer, s *CapacitySite, src ImageSource) error {
	c := s.Cap
	type curve struct {
		Cell string
		Rows [][]string
	}
	data := struct {
		ID, Summary              string
		AnswerHeader, StepHeader []string
		Answers                  [][]string
		Notes                    []string
		Curves                   []curve
		Figures                  []htmlFigure
	}{ID: c.ID, Summary: capacitySummary(c), AnswerHeader: answerHeader, StepHeader: stepHeader, Answers: answerRows(c)}
	for _, cv := range c.Curves {
		if cv.Answer.Detail != "" {
			data.Notes = append(data.Notes, fmt.Sprintf("%s: knee reason %s: %s", cv.Cell, cv.Answer.Reason, cv.Answer.Detail))
		}
		data.Curves = append(data.Curves, curve{cv.Cell, stepRows(cv)})
	}
	for _, warn := range c.Warnings {
		data.Notes = append(data.Notes, "warning: "+warn)
	}
	data.Notes = append(data.Notes, SkippedLines(c.Invalid)...)
	for _, f := range s.Figures {
		u, err := src(f.Name)
		if err != nil {
			return err
		}
		data.Figures = append(data.Figures, htmlFigure{Figure: f, Src: u})
	}
	if err := capacityPage.Execute(w, data); err != nil {
		return fmt.Errorf("report: writing %s: %w", HTMLFile, err)
	}
	return nil
}
