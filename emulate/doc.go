// Package emulate puts a target behind an emulated network link (round
// trip time, loss, optional rate) on a single machine, for
// `hsbench run --emulate rtt=50ms,loss=1%` and `hsbench emulate exec`.
//
// # Namespaces and addresses
//
// Setup creates two network namespaces named hsbench-<pid>-<seq>-c
// (client) and hsbench-<pid>-<seq>-s (server). The pid in the name lets
// CleanupStale remove namespaces of processes that died without calling
// Close. The client side has ClientAddr 198.18.0.1 and the server side
// ServerAddr 198.19.0.1, both from the benchmarking range 198.18.0.0/15
// and both existing only inside those namespaces. Each side has one
// device, hsb0, configured point-to-point ("ip addr add LOCAL peer
// REMOTE"), which also installs the only route: REMOTE/32 via hsb0.
// Nothing is added to the root namespace.
//
// # Using the link from the hsbench process
//
// hsbench itself stays in the root namespace. A socket belongs to the
// namespace of the thread that created it, for its whole life, so the
// Link keeps one goroutine per namespace locked to an OS thread that has
// entered it (runtime.LockOSThread + setns). That thread only creates
// sockets; using them later from any goroutine still sends the traffic
// through the namespace. The thread is never unlocked: when it ends, the
// Go runtime discards it, so no other goroutine runs in a foreign
// namespace by accident.
//
//   - ListenTCP and ListenUDP create listeners in the server namespace
//     (for the embedded target); accepted connections live there too.
//   - DialContext creates the socket in the client namespace and
//     connects it through the Go poller on the caller's goroutine; it has
//     net.Dialer.DialContext's signature. ListenPacketClient gives a UDP
//     socket in the client namespace for quic-go.
//   - Command and ClientCommand run external programs (nginx, openssl
//     s_server, curl) in a namespace through `ip netns exec`.
//
// # Backends
//
// netem: a veth pair between the namespaces with a tc netem qdisc on each
// end (delay RTT/2, loss, rate). Chosen automatically when a probe (a
// netem qdisc on the client namespace's loopback) succeeds.
//
// tun-relay: the fallback, needed where the kernel has no sch_netem. Each
// namespace gets a TUN device (IFF_TUN|IFF_NO_PI, created by opening
// /dev/net/tun on the namespace's thread) and a userspace relay moves IP
// packets between them. Per direction there is one reader goroutine and
// one sender goroutine around a shaper: the reader stamps each packet with
// the monotonic clock, the shaper drops it with probability Loss (seeded
// math/rand/v2 PCG, Link.Seed) or when the queue is full, adds the rate
// limiter's serialisation time and the one-way delay, and appends it to a
// FIFO. Delivery times never decrease, so the FIFO is time ordered and
// packets keep their order; the sender sleeps on a single timer until the
// head is due. There is no goroutine or timer per packet. Only IPv4 is
// relayed (IPv6 is disabled in the namespaces).
//
// Link.Backend reports which backend runs; Options.Backend forces one.
//
// # Privileges and cleanup
//
// Setup needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN); without them it
// returns an error wrapping ErrPrivilege and never falls back to an
// unemulated path. It runs CleanupStale first. The caller must call
// Close, including on Ctrl-C: Close is idempotent and safe from a
// signal-handling goroutine; it stops the relay, closes the TUN devices
// and deletes both namespaces.
package emulate
