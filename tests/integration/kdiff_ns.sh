# The namespaces of the kernel differential tests (t_ipt_kernel_diff.sh,
# t_nft_kernel_diff.sh), sourced by both: setup for IPv4, setup6 for IPv6. The caller sets
# A and B (the namespace names) and reads A_MAC (the MAC of A's interface) after a setup.

# setup IFNAME [FIRST]: fresh namespaces $A and $B joined by IFNAME <-> b0, 45.33.1.10/24 on
# IFNAME, the peer 45.33.1.20 the default gateway; the peer's MAC a permanent neighbour
# for 45.33.1.FIRST..254 (FIRST 1 by default; 0 makes the subnet address one too), so
# that nothing waits on ARP; forwarding on, rp_filter, redirects and echo replies off.
setup() {
	local ifn=$1 first=${2:-1} bmac i
	ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
	ip netns add "$A" && ip netns add "$B" || return 1
	ip link add "$ifn" netns "$A" type veth peer name b0 netns "$B" || return 1
	ip netns exec "$B" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$A" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$B" addr add 45.33.1.20/24 dev b0
	ip -n "$B" link set b0 up
	ip -n "$A" link set lo up
	ip -n "$A" addr add 45.33.1.10/24 dev "$ifn"
	ip -n "$A" link set "$ifn" up
	ip -n "$A" route add default via 45.33.1.20
	ip netns exec "$A" sysctl -qw net.ipv4.ip_forward=1 2>/dev/null net.ipv4.conf.all.send_redirects=0 \
		"net.ipv4.conf.$ifn.send_redirects=0" net.ipv4.conf.all.rp_filter=0 \
		"net.ipv4.conf.$ifn.rp_filter=0" net.ipv4.conf.lo.rp_filter=0 \
		net.ipv4.conf.all.route_localnet=0 net.ipv4.conf.all.accept_local=0 \
		net.ipv4.icmp_echo_ignore_all=1
	bmac=$(ip -n "$B" -o link show b0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	for i in $(seq "$first" 254); do
		[ $i = 10 ] || echo "neigh replace 45.33.1.$i lladdr $bmac dev $ifn nud permanent"
	done | ip -n "$A" -batch -
	# the peer answers nothing
	ip netns exec "$B" iptables-legacy -P INPUT DROP && ip netns exec "$B" iptables-legacy -P OUTPUT DROP
	A_MAC=$(ip -n "$A" -o link show "$ifn" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
}

# setup6 IFNAME: the same for IPv6 (ipt_kdiff6.h): 2001:db8:1::10/64 without a link-local
# address (no redirects, no MLD from fe80::), the peer 2001:db8:1::20 the default gateway,
# its MAC a permanent neighbour, DAD and router solicitations off, MLD reports sent at once
# (and waited for) so that none is counted during the test, forwarding on, echo and ICMPv6
# error rate limit off.
setup6() {
	local ifn=$1 bmac i
	ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
	ip netns add "$A" && ip netns add "$B" || return 1
	ip netns exec "$A" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.default.forwarding=1 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.mldv1_unsolicited_report_interval=1 \
		net.ipv6.conf.default.mldv2_unsolicited_report_interval=1 \
		net.ipv6.icmp.echo_ignore_all=1 net.ipv6.icmp.ratelimit=0 || return 1
	ip netns exec "$B" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "$ifn" netns "$A" type veth peer name b0 netns "$B" || return 1
	ip netns exec "$A" sysctl -qw net.ipv4.conf.all.send_redirects=0
	ip -n "$B" link set b0 up
	ip -n "$A" link set lo up
	ip -n "$A" addr add 2001:db8:1::10/64 dev "$ifn" nodad
	ip -n "$A" link set "$ifn" up
	ip -n "$A" -6 route add default via 2001:db8:1::20 dev "$ifn" || return 1
	bmac=$(ip -n "$B" -o link show b0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	for i in $(seq 1 255); do
		[ $i = 16 ] || printf 'neigh replace 2001:db8:1::%x lladdr %s dev %s nud permanent\n' $i "$bmac" "$ifn"
	done | ip -n "$A" -batch - || return 1
	# the peer answers nothing
	ip netns exec "$B" iptables-legacy -P INPUT DROP && ip netns exec "$B" iptables-legacy -P OUTPUT DROP
	A_MAC=$(ip -n "$A" -o link show "$ifn" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	sleep 0.2	# the MLD reports of the groups joined at link up
}
