package bench

// ClientFault wraps an error of the client's own making: the --keylog file
// could not be written (a full disk, /dev/full), for instance. Classify
// counts it as sample.ClassClientFault, never as a fault of the target.
type ClientFault struct {
	What string // what the client was doing, e.g. "writing the key log"
	Err  error
}

func (e *ClientFault) Error() string { return "bench: " + e.What + ": " + e.Err.Error() }
func (e *ClientFault) Unwrap() error { return e.Err }
