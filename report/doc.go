// Package report turns run records into what people and CI systems read:
// text tables (this package), plots (report/plot) and regression verdicts
// (report/compare).
package report
