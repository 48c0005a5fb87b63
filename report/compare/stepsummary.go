package compare

import (
	"fmt"
	"io"
	"os"
)

// AppendGitHubStepSummary appends r as Markdown to the file named by
// the GITHUB_STEP_SUMMARY environment variable, as GitHub Actions
// expects. It reports whether it appended: outside GitHub Actions (the
// variable unset or empty) it does nothing and returns false, nil.
//
// lookupEnv is the environment lookup, normally os.LookupEnv (used when
// nil); tests inject their own.
func AppendGitHubStepSummary(r *Result, lookupEnv func(string) (string, bool)) (bool, error) {
	return appendStepSummary(lookupEnv, r.WriteMarkdown)
}

// appendStepSummary appends what write writes to $GITHUB_STEP_SUMMARY.
func appendStepSummary(lookupEnv func(string) (string, bool), write func(io.Writer) error) (bool, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	path, ok := lookupEnv("GITHUB_STEP_SUMMARY")
	if !ok || path == "" {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return false, fmt.Errorf("compare: step summary: %w", err)
	}
	werr := write(f)
	cerr := f.Close()
	if werr != nil {
		return false, fmt.Errorf("compare: step summary %s: %w", path, werr)
	}
	if cerr != nil {
		return false, fmt.Errorf("compare: step summary %s: %w", path, cerr)
	}
	return true, nil
}
