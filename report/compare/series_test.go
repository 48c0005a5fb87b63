package compare

import (
	"slices"
	"testing"
)

func TestPair(t *testing.T) {
	a50 := Key{"a", "total", 50}
	a99 := Key{"a", "total", 99}
	b50 := Key{"b", "total", 50}
	base := map[Key][]float64{a99: {1, 2}, a50: {3, 4}}
	new := map[Key][]float64{a50: {5, 6}, b50: {7}}
	got := Pair(base, new)
	wantKeys := []Key{a50, a99, b50}
	var keys []Key
	for _, s := range got {
		keys = append(keys, s.Key())
	}
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("keys %v, want sorted union %v", keys, wantKeys)
	}
	if !slices.Equal(got[0].Base, []float64{3, 4}) || !slices.Equal(got[0].New, []float64{5, 6}) {
		t.Errorf("a50 = %+v, want both sides", got[0])
	}
	if got[1].New != nil || got[2].Base != nil {
		t.Errorf("one-sided keys must have an empty other side: %+v %+v", got[1], got[2])
	}
	got[0].Base[0] = 99
	if base[a50][0] != 3 {
		t.Error("Pair must copy values, not alias the maps")
	}
}

func TestUserMinRunsAboveBenchmath(t *testing.T) {
	opts := testOptions(200)
	opts.MinRuns = 12
	r, err := Compare([]Series{{Cell: "c", Phase: "total", Pct: 50, Base: around(10), New: around(20)}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.MinRuns != 12 || r.Comparisons[0].Verdict != TooFewRuns {
		t.Errorf("MinRuns %d verdict %s; want 12 and TOO_FEW_RUNS for 10 runs", r.MinRuns, r.Comparisons[0].Verdict)
	}
}

func TestKeyNames(t *testing.T) {
	k := Key{"tls1.3/full/x25519", "total", 99.9}
	if got := k.String(); got != "tls1.3/full/x25519 total p99.9" {
		t.Errorf("Key.String() = %q", got)
	}
}
