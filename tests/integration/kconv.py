"""Shared pieces of the integration tests that compare `check` with the kernel's rule
counters (t_check_established.sh, t_check_dnat.sh).

  kconv.py serve PORT CONNS          accept CONNS TCP connections on PORT and answer
                                     every request with 20 bytes until the peer closes
  kconv.py talk HOST PORT CONNS N    CONNS connections to HOST:PORT, N request/answer
                                     rounds each (TCP_NODELAY: one segment per send)

counters(path) reads `iptables -L CHAIN -v -x -n --line-numbers` listings (several chains
one after another) into {(chain, num): packets}. exact(tag, rules, kern, nrules) compares
`check`'s JSON rules with them, every rule exact."""
import socket
import sys
import time


def counters(path):
    kern, chain = {}, None
    for line in open(path):
        w = line.split()
        if w[:1] == ["Chain"]:
            chain = w[1]
        elif w and w[0].isdigit():
            kern[(chain, int(w[0]))] = int(w[1])
    return kern


def exact(tag, rules, kern, nrules):
    """Prints one line per rule of kern found in rules (check --format json's "rules" or
    "rules6"); 1 unless each is exact (definite = kernel, no maybe, never hit iff 0) and
    all nrules were compared."""
    bad, seen = 0, set()
    for r in rules:
        key = (r["chain"], r["num"])
        if key not in kern:
            continue
        seen.add(key)
        lo, hi = r["packets"], r["packets"] + r["maybe_packets"]
        good = lo == kern[key] == hi and (kern[key] == 0) == bool(r["never_hit"])
        bad |= not good
        print("%s: %s %s %s: kernel %d, check %d definite + %d maybe: %s" % (
            "ok" if good else "FAIL", tag, key[0], key[1], kern[key], lo, hi - lo, r["text"]))
    if seen != set(kern) or len(kern) != nrules:
        print("FAIL: %s: rules compared %s, want %s" % (tag, sorted(seen), sorted(kern)))
        bad = 1
    return bad


def serve(port, conns):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", port))
    l.listen(8)
    for _ in range(conns):
        c, _ = l.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            d = c.recv(100)
            if not d:
                break
            c.sendall(b"r" * 20)
        c.close()


def talk(host, port, conns, rounds):
    for _ in range(conns):
        s = socket.create_connection((host, port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(rounds):
            s.sendall(b"q" * 50)
            s.recv(100)
        s.close()
        time.sleep(0.1)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), int(sys.argv[3]))
    else:
        talk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
