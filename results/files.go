package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File names inside a run directory.
const (
	RunFile  = "run.json"
	HlogFile = "phases.hlog"
)

// WriteAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers (and a crash or Ctrl-C) see either the
// old file or the new one, never half of one. The file is 0644, as the run's
// other files.
func WriteAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600; the run's other files are 0644.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("results: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("results: writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("results: syncing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Save writes run.json into dir atomically.
func (r *Run) Save(dir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encoding run: %w", err)
	}
	return WriteAtomic(filepath.Join(dir, RunFile), append(b, '\n'))
}

// Load reads dir/run.json and checks its schema version.
func Load(dir string) (*Run, error) {
	path := filepath.Join(dir, RunFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("results: %s is not a run directory (no %s)", dir, RunFile)
		}
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("results: %s: schema %q, this hsbench reads %q", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}

// Cell returns the cell with the given ID.
func (r *Run) Cell(id string) (*Cell, bool) {
	for i := range r.Cells {
		if r.Cells[i].ID == id {
			return &r.Cells[i], true
		}
	}
	return nil, false
}
