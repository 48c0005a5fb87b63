package compare_test

import (
	"fmt"
	"os"

	"github.com/hsbench/hsbench/report/compare"
)

func Example() {
	opts := compare.DefaultOptions()
	opts.BaseName, opts.NewName = "main", "pr-42"
	th, err := compare.ParseThresholds("p50=5%,p99=10%")
	if err != nil {
		fmt.Println(err)
		return
	}
	opts.Thresholds = th
	series := []compare.Series{{
		Cell: "tls1.3/full/x25519", Phase: "total", Pct: 50,
		Base: []float64{10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 10.1, 9.9},
		New:  []float64{12.0, 12.1, 11.9, 12.2, 11.8, 12.0, 12.1, 11.9},
	}}
	r, err := compare.Compare(series, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := r.WriteAnnotations(os.Stdout); err != nil {
		fmt.Println(err)
	}
	fmt.Println("exit", r.ExitCode())
	// Output:
	// ::error title=hsbench regression%3A tls1.3/full/x25519 total p50::tls1.3/full/x25519 total p50: new median 12.00 ms vs base 10.00 ms (+20.0%25); ratio CI [1.182, 1.218] is above the limit 1.050 (threshold 5%25) and p=0.000 < 0.05
	// ::error title=hsbench compare%3A FAIL::pr-42 vs main: 1 FAIL (exit 1)
	// exit 1
}
