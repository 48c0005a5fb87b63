package zerortt

// Hooks are optional callbacks that Resume calls synchronously, on the
// goroutine that called Resume, at fixed points of the handshake. The
// bench package timestamps them with the monotonic clock; they must be
// cheap and must not touch the connection. Nil fields are skipped.
type Hooks struct {
	// ClientHelloWritten is called once the first flight (ClientHello and,
	// when offered, all 0-RTT application data records) has been written
	// to the connection in a single Write. After a HelloRetryRequest it is
	// called again when the second ClientHello has been written.
	ClientHelloWritten func()

	// FirstServerByte is called when the first read from the connection
	// returns at least one byte (normally the start of the ServerHello).
	FirstServerByte func()

	// HandshakeKeys is called after the ServerHello has been processed and
	// the server handshake traffic secret derived, before
	// EncryptedExtensions is read.
	HandshakeKeys func()

	// ServerFinished is called when the server's Finished has been
	// verified.
	ServerFinished func()

	// ClientFinishedWritten is called when EndOfEarlyData (if early data
	// was accepted) and the client Finished have been written. Early data
	// that the server rejected is resent after this hook.
	ClientFinishedWritten func()

	// FirstResponseByte is called when the first application data record
	// with a non-empty payload has been received and decrypted.
	FirstResponseByte func()

	// KeyLog receives each traffic secret as it is derived, in NSS key log
	// format terms: label is CLIENT_EARLY_TRAFFIC_SECRET,
	// CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
	// CLIENT_TRAFFIC_SECRET_0 or SERVER_TRAFFIC_SECRET_0. A line is
	// fmt.Sprintf("%s %x %x\n", label, clientRandom, secret).
	KeyLog func(label string, clientRandom, secret []byte)
}

func call(f func()) {
	if f != nil {
		f()
	}
}

func (h *Hooks) keyLog(label string, random, secret []byte) {
	if h.KeyLog != nil {
		h.KeyLog(label, random, secret)
	}
}
