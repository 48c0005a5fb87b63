// Package deps holds the test that guards the direction of the data flow:
// the packages that only read results must not link a TLS or QUIC stack.
package deps
