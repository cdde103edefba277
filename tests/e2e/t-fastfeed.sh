#!/bin/bash
# t-fastfeed.sh: cached feeds answered by the listener's fast path (feeds.c) are the bytes
# evhttp answers with (tests/e2e/fastfeed.py: 200, 304, gzip, HEAD, 404, bad tokens, keep-alive
# and pipelining, a big feed to a slow reader, garbage and a request in pieces, a big feed
# made again while answers of it are held half sent, and twice while one lies unread in the
# socket buffers, sent from the pages of the cache the daemon let go), and stay so
# through the TLS proxy of README.md and through an nginx that keeps its upstream
# connections (HTTP/1.1, whose requests the fast path takes).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tlsproxy.sh"
C=$TERMIJN PY=/usr/bin/python3
trap 'tls_proxy_stop; [ -n "${NG_PID:-}" ] && kill "$NG_PID" 2>/dev/null; cleanup' EXIT
setup_conf
# A plan whose feed is past any socket buffer: its answer goes out in several writes.
{
	printf 'plan groot\n  title Groot plan\n  timezone Europe/Amsterdam\n\n'
	printf 'role secretaris\n  address secretaris@groot.example\n'
	for i in $(seq -w 1 1500); do
		printf '\nmilestone m%s\n  title Stap %s, met een titel van enige lengte\n' "$i" "$i"
		printf '  owner secretaris\n  due 2014-%02d-%02d\n' $((10#$i % 12 + 1)) $((10#$i % 28 + 1))
	done
} > "$T/plans/groot.plan"
start_daemon --clock-start '2013-12-16 09:00' --clock-speed 0 ||
    { not_ok "the daemon starts"; finish; exit 1; }
H=$(http_addr)
feed_path() {
	"$C" --json feeds create --plan "$1" | $PY -c \
	    'import json, sys; print("/" + json.load(sys.stdin)["url"].split("://")[1].split("/", 1)[1])'
}
P=$(feed_path sociaal-domein) && BIG=$(feed_path groot) ||
    { not_ok "feeds created"; finish; exit 1; }
# Made once (by evhttp's path), then cached.
curl -s -o "$T/feed.ics" "http://$H$P" && curl -s -o "$T/big.ics" "http://$H$BIG" &&
    curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://$H$BIG"
OUT=$($PY "$TOP/tests/e2e/fastfeed.py" "$H" "$P" "$BIG" "$C" done {} -p groot 2>&1); rc=$?
printf '%s\n' "$OUT" | grep -E '^(ok|not ok) - ' | while IFS= read -r l; do echo "$l"; done
PASS=$((PASS + $(printf '%s\n' "$OUT" | grep -c '^ok - ')))
FAIL=$((FAIL + $(printf '%s\n' "$OUT" | grep -c '^not ok - ')))
if [ "$rc" -eq 0 ]; then ok "fastfeed.py ran through"
else not_ok "fastfeed.py failed ($rc)"; printf '%s\n' "$OUT" | grep -v '^ok - ' | head -30; fi
# fastfeed.py changed the big feed (m0001, m0002, m0003 done): its bytes as they are now, gzip made.
curl -s -o "$T/big.ics" "http://$H$BIG" && curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://$H$BIG"

fast() { curl -s "http://$H/metrics" | awk '$1 == "termijn_feed_fast_total" { print $2 }'; }

# Through the TLS proxy of README.md (HTTP/1.1 upstream for /feed/: the fast path's).
tls_proxy_start "$T/nginx" "${H##*:}" || { not_ok "nginx with TLS starts"; finish; exit 1; }
F0=$(fast)
curl -s --cacert "$TLS_CERT" -D "$T/tls.hdr" -o "$T/tls.ics" "https://localhost:$TLS_PORT$P"
if cmp -s "$T/tls.ics" "$T/feed.ics"; then ok "the feed through the TLS proxy: the same bytes"
else not_ok "the feed through the TLS proxy differs"; fi
ET=$(tr -d '\r' < "$T/tls.hdr" | sed -n 's/^ETag: //Ip')
CODE=$(curl -s --cacert "$TLS_CERT" -o /dev/null -w '%{http_code}' -H "If-None-Match: $ET" \
    "https://localhost:$TLS_PORT$P")
expect_n 304 "$CODE" "If-None-Match through the TLS proxy: 304"
F1=$(fast)
expect_n 2 $((F1 - F0)) "both through the TLS proxy by the fast path"
tls_proxy_stop

# Through an nginx that keeps its upstream connections: the fast path's, on connections
# that are used again.
NPORT=$(free_port)
mkdir -p "$T/ng"
cat > "$T/ng/nginx.conf" <<EOC
daemon off;
worker_processes 1;
pid $T/ng/nginx.pid;
error_log $T/ng/error.log warn;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T/ng/body;
	proxy_temp_path $T/ng/proxy;
	fastcgi_temp_path $T/ng/fastcgi;
	uwsgi_temp_path $T/ng/uwsgi;
	scgi_temp_path $T/ng/scgi;
	upstream termijnd { server $H; keepalive 4; }
	server {
		listen 127.0.0.1:$NPORT;
		location / {
			proxy_pass http://termijnd;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_buffering off;
		}
	}
}
EOC
nginx -p "$T/ng" -c "$T/ng/nginx.conf" -e "$T/ng/error.log" &
NG_PID=$!
for _ in $(seq 1 100); do
	curl -s -o /dev/null "http://127.0.0.1:$NPORT/healthz" && break
	sleep 0.05
done
F0=$(fast)
good=0
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o "$T/ng.ics" "http://127.0.0.1:$NPORT$P" && cmp -s "$T/ng.ics" "$T/feed.ics" &&
	    good=$((good + 1))
	curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$NPORT$BIG" | gzip -dc > "$T/ng-big.ics"
	cmp -s "$T/ng-big.ics" "$T/big.ics" && good=$((good + 1))
done
expect_n 16 "$good" "16 feeds through a keeping nginx, plain and gzip: the same bytes"
F1=$(fast)
expect_n 16 $((F1 - F0)) "all 16 by the fast path"
kill "$NG_PID"; wait "$NG_PID" 2>/dev/null; NG_PID=
stop_daemon
finish
