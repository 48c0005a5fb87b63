package sample

// Error classes. A failed attempt is counted under exactly one class; TLS
// alerts received from the server are "alert:<name>" (e.g. alert:handshake_failure).
const (
	ClassDNS            = "dns"
	ClassRefused        = "refused"
	ClassTimeout        = "timeout"
	ClassReset          = "reset"
	ClassEOF            = "closed"      // the server closed the connection mid-handshake
	ClassUnreachable    = "unreachable" // no route, network down
	ClassCertExpired    = "cert_expired"
	ClassCertName       = "cert_name_mismatch"
	ClassCertAuthority  = "cert_unknown_authority"
	ClassCertInvalid    = "cert_invalid"
	ClassVersion        = "version_mismatch"
	ClassSuite          = "suite_mismatch"
	ClassGroup          = "group_mismatch"  // the server chose a group the client did not offer
	ClassBadFinished    = "bad_finished"    // the server's Finished does not verify
	ClassEphemeralPorts = "ephemeral_ports" // EADDRNOTAVAIL: no free local port (TIME_WAIT)
	ClassFDLimit        = "fd_limit"        // EMFILE/ENFILE: RLIMIT_NOFILE reached
	ClassNo0RTT         = "no_0rtt"         // the target does not accept 0-RTT over this transport
	ClassCanceled       = "canceled"        // the run stopped while the attempt was under way
	ClassProtocol       = "protocol"        // the peer spoke something that is not TLS/HTTP
	ClassNoResponse     = "no_response"     // handshake completed, request written, no response (closed or timed out)
	ClassHTTPStatus     = "http_status"     // prefix: "http_status:<code>", a status outside --expect-status
	ClassOther          = "other"
)

// ClassAdvice explains a failure class for the summary, with remedies where
// the generator itself is the bottleneck.
func ClassAdvice(class string) string {
	switch class {
	case ClassEphemeralPorts:
		return "no free local port: closed connections wait in TIME_WAIT (60 s on Linux) before their port is reused. " +
			"Lower the rate, widen net.ipv4.ip_local_port_range, enable net.ipv4.tcp_tw_reuse, or spread load over several source addresses (127.0.0.2, …) or shards"
	case ClassFDLimit:
		return "the process ran out of file descriptors: raise the limit (ulimit -n) or lower --concurrency"
	case ClassNo0RTT:
		return "the target does not accept 0-RTT over TCP (it aborted or ignored the early data)"
	case ClassCertAuthority:
		return "the certificate is not signed by a trusted CA: pass --ca FILE, or --insecure"
	case ClassCertName:
		return "the certificate does not cover the server name: pass --sni NAME"
	case ClassVersion:
		return "the server does not speak the TLS version asked for"
	}
	return ""
}
