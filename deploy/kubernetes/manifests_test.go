// Package kubernetes holds the Kubernetes manifests of a sharded run; its
// test checks their structure (no cluster needed).
package kubernetes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// doc is one YAML document, navigated by path.
type doc map[string]any

func (d doc) get(t *testing.T, path ...any) any {
	t.Helper()
	var cur any = map[string]any(d)
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%v: %v is not a mapping", path, cur)
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no item %d in %v", path, k, cur)
			}
			cur = l[k]
		}
	}
	return cur
}

// load parses every document of a manifest file, strictly: a key repeated
// in a mapping is an error.
func load(t *testing.T, file string) []doc {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []doc
	for {
		var d map[string]any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if d != nil {
			out = append(out, doc(d))
		}
	}
}

func byKind(t *testing.T, docs []doc, kind, name string) doc {
	t.Helper()
	for _, d := range docs {
		if d["kind"] == kind && d.get(t, "metadata", "name") == name {
			return d
		}
	}
	t.Fatalf("no %s %q", kind, name)
	return nil
}

// runEnv reads run.env (KEY=VALUE lines, # comments), as kustomize does.
func runEnv(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("run.env")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("run.env: %q is not KEY=VALUE", line)
		}
		env[k] = v
	}
	return env
}

func TestManifests(t *testing.T) {
	kust := load(t, "kustomization.yaml")[0]
	var all []doc
	for _, r := range kust.get(t, "resources").([]any) {
		all = append(all, load(t, r.(string))...)
	}
	env := runEnv(t)
	if kust.get(t, "configMapGenerator", 0, "name") != "hsbench-run" || kust.get(t, "configMapGenerator", 0, "envs", 0) != "run.env" {
		t.Fatalf("kustomization does not generate hsbench-run from run.env")
	}

	job := byKind(t, all, "Job", "hsbench")
	spec := func(path ...any) any { return job.get(t, append([]any{"spec"}, path...)...) }
	if spec("completionMode") != "Indexed" || spec("backoffLimit") != 0 {
		t.Errorf("job: completionMode %v, backoffLimit %v; want Indexed, 0", spec("completionMode"), spec("backoffLimit"))
	}
	// The shard count is written once, as completions: the kustomization
	// copies it into parallelism and the shards' SHARDS (checked on the
	// built manifests in TestKustomizeBuild), run.env does not repeat it.
	if _, ok := env["SHARDS"]; ok {
		t.Errorf("run.env sets SHARDS, which must come from the Job's completions")
	}
	rep := kust.get(t, "replacements", 0)
	if doc(rep.(map[string]any)).get(t, "source", "fieldPath") != "spec.completions" {
		t.Errorf("kustomization: no replacement from the Job's completions: %v", rep)
	}
	if spec("template", "spec", "restartPolicy") != "Never" {
		t.Errorf("job: restartPolicy %v, want Never", spec("template", "spec", "restartPolicy"))
	}
	script := spec("template", "spec", "containers", 0, "args", 0).(string)
	for _, want := range []string{"JOB_COMPLETION_INDEX + 1", "--shard", "--start-at \"${START_AT}\"", "/results/${RUN_ID}/shard-${JOB_COMPLETION_INDEX}", "exec hsbench run"} {
		if !strings.Contains(script, want) {
			t.Errorf("job wrapper lacks %q:\n%s", want, script)
		}
	}
	if spec("template", "spec", "containers", 0, "envFrom", 0, "configMapRef", "name") != "hsbench-run" {
		t.Errorf("job does not read the hsbench-run config map")
	}

	// Headless Service selecting the shard pods, named by the Job's subdomain.
	svc := byKind(t, all, "Service", "hsbench-shards")
	if svc.get(t, "spec", "clusterIP") != "None" {
		t.Errorf("service: clusterIP %v, want None", svc.get(t, "spec", "clusterIP"))
	}
	podLabels := spec("template", "metadata", "labels").(map[string]any)
	for k, v := range svc.get(t, "spec", "selector").(map[string]any) {
		if podLabels[k] != v {
			t.Errorf("service selector %s=%v does not match the shard pods %v", k, v, podLabels)
		}
	}
	if spec("template", "spec", "subdomain") != "hsbench-shards" {
		t.Errorf("job subdomain %v, want the headless service", spec("template", "spec", "subdomain"))
	}

	// The results volume: a ReadWriteMany claim mounted at /results.
	pvc := byKind(t, all, "PersistentVolumeClaim", "hsbench-results")
	if pvc.get(t, "spec", "accessModes", 0) != "ReadWriteMany" {
		t.Errorf("pvc access mode %v", pvc.get(t, "spec", "accessModes"))
	}
	for _, d := range []doc{job, load(t, "merge/merge-job.yaml")[0]} {
		ps := d.get(t, "spec", "template", "spec")
		mount := doc(ps.(map[string]any)).get(t, "containers", 0, "volumeMounts", 0).(map[string]any)
		vol := doc(ps.(map[string]any)).get(t, "volumes", 0).(map[string]any)
		if mount["mountPath"] != "/results" || mount["name"] != vol["name"] || doc(vol).get(t, "persistentVolumeClaim", "claimName") != "hsbench-results" {
			t.Errorf("%v: results volume not mounted at /results: mount %v, volume %v", d.get(t, "metadata", "name"), mount, vol)
		}
	}
	merge := load(t, "merge/merge-job.yaml")[0]
	if !strings.Contains(merge.get(t, "spec", "template", "spec", "containers", 0, "args", 0).(string), "hsbench merge --out") {
		t.Errorf("merge job does not run hsbench merge")
	}

	// The long-lived target must not depend on RUN_ID (read once, at its
	// start): it writes its CA where the shards of every run look.
	target := byKind(t, all, "Deployment", "hsbench-target")
	tscript := target.get(t, "spec", "template", "spec", "containers", 0, "args", 0).(string)
	if strings.Contains(tscript, "RUN_ID") || !strings.Contains(tscript, "--ca-out /results/target/ca.pem") {
		t.Errorf("target wrapper depends on RUN_ID or writes its CA elsewhere:\n%s", tscript)
	}
	if !strings.Contains(script, "/results/target/ca.pem") {
		t.Errorf("shard wrapper does not look for the target's CA at /results/target/ca.pem:\n%s", script)
	}

	// run.env: a parseable start time; the wrapper owns the per-shard flags.
	if _, err := time.Parse(time.RFC3339, env["START_AT"]); err != nil {
		t.Errorf("run.env START_AT: %v", err)
	}
	for _, f := range []string{"--shard", "--start-at", "--out"} {
		if strings.Contains(env["HSBENCH_ARGS"], f) {
			t.Errorf("run.env HSBENCH_ARGS sets %s, which the Job's wrapper sets per shard", f)
		}
	}
}

// kubectl kustomize builds the three kustomizations: every hsbench image
// gets the one override of image/ (merge and fetch included), and the
// Job's parallelism and SHARDS equal its completions.
func TestKustomizeBuild(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl")
	}
	img := load(t, "image/kustomization.yaml")[0]
	want := fmt.Sprintf("%v:%v", img.get(t, "images", 0, "newName"), img.get(t, "images", 0, "newTag"))
	for _, dir := range []string{".", "merge", "fetch"} {
		out, err := exec.Command(kubectl, "kustomize", dir).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, out)
		}
		var docs []doc
		dec := yaml.NewDecoder(bytes.NewReader(out))
		for {
			var d map[string]any
			if err := dec.Decode(&d); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, d)
		}
		images := 0
		for _, d := range docs {
			if d["kind"] == "Service" || d["kind"] == "PersistentVolumeClaim" || d["kind"] == "ConfigMap" {
				continue
			}
			ps := d.get(t, "spec")
			if d["kind"] != "Pod" {
				ps = doc(ps.(map[string]any)).get(t, "template", "spec")
			}
			for _, c := range doc(ps.(map[string]any)).get(t, "containers").([]any) {
				images++
				if got := c.(map[string]any)["image"]; got != want {
					t.Errorf("%s: %v %v runs image %v, want the override %s", dir, d["kind"], d.get(t, "metadata", "name"), got, want)
				}
			}
		}
		if images == 0 {
			t.Errorf("%s: no container built", dir)
		}
		if dir != "." {
			continue
		}
		job := byKind(t, docs, "Job", "hsbench")
		c, p := job.get(t, "spec", "completions"), job.get(t, "spec", "parallelism")
		var shards any
		for _, e := range job.get(t, "spec", "template", "spec", "containers", 0, "env").([]any) {
			if e.(map[string]any)["name"] == "SHARDS" {
				shards = e.(map[string]any)["value"]
			}
		}
		if c != p || shards != fmt.Sprint(c) {
			t.Errorf("built job: completions %v, parallelism %v, SHARDS %#v: want all equal (SHARDS a string)", c, p, shards)
		}
	}
}

// The Job's shell wrapper turns the 0-based completion index into
// --shard I/N and passes the run's flags through, split into words.
func TestShardWrapper(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	job := byKind(t, load(t, "job.yaml"), "Job", "hsbench")
	script := job.get(t, "spec", "template", "spec", "containers", 0, "args", 0).(string)
	bin := t.TempDir()
	argsFile := filepath.Join(bin, "args")
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + argsFile + "\n"
	if err := os.WriteFile(filepath.Join(bin, "hsbench"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, "-c", script)
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "JOB_COMPLETION_INDEX=2", "SHARDS=4", "RUN_ID=r",
		"START_AT=2030-01-01T00:00:00Z", "TARGET_CA_WAIT=0", "HSBENCH_ARGS=--rate 400 --mode full"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wrapper: %v\n%s", err, out)
	}
	got, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	want := "run\n--shard\n3/4\n--start-at\n2030-01-01T00:00:00Z\n--out\n/results/r/shard-2\n--quiet\n--rate\n400\n--mode\nfull\n"
	if string(got) != want {
		t.Fatalf("wrapper ran hsbench with\n%s\nwant\n%s", got, want)
	}

	// Applied without kustomize, SHARDS keeps its placeholder 0: the
	// wrapper refuses to start rather than run a wrong share of the load.
	os.Remove(argsFile)
	cmd = exec.Command(sh, "-c", script)
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "JOB_COMPLETION_INDEX=2", "SHARDS=0", "RUN_ID=r",
		"START_AT=2030-01-01T00:00:00Z", "TARGET_CA_WAIT=0"}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "kubectl apply -k") {
		t.Errorf("wrapper with SHARDS=0: %v\n%s; want exit 2 naming kubectl apply -k", err, out)
	}
	if _, err := os.Stat(argsFile); err == nil {
		t.Errorf("wrapper with SHARDS=0 ran hsbench")
	}
}

// The image builds in two stages and runs as an unprivileged user.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	user := ""
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "FROM" {
			froms = append(froms, f[1])
		}
		if len(f) >= 2 && f[0] == "USER" {
			user = f[1]
		}
	}
	if len(froms) != 2 || !strings.HasPrefix(froms[0], "golang:1.26") {
		t.Errorf("stages %v: want a golang:1.26 builder and a runtime", froms)
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("USER %q: the image must not run as root", user)
	}
}
