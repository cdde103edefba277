# tlsproxy.sh: a real nginx on loopback in front of termijnd, with TLS by a self-signed
# certificate made here: tls_proxy_start DIR BACKEND_PORT, tls_proxy_stop.
# Sets TLS_PORT (HTTPS, X-Forwarded-Proto https), PLAIN_PORT (plain HTTP through the same
# proxy, to show what happens to a token sent that way), TLS_CERT (the CA file for clients).
# nginx runs with its own -p/-c, pid and error_log in DIR; sourced by tests and bench.

TLS_PID=

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

tls_proxy_start() {
	_d=$1 _backend=$2
	mkdir -p "$_d/tmp"
	TLS_CERT=$_d/cert.pem
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    -keyout "$_d/key.pem" -out "$TLS_CERT" 2>"$_d/openssl.log" || return 1
	TLS_PORT=$(free_port) PLAIN_PORT=$(free_port)
	cat > "$_d/nginx.conf" <<EOC
# The nginx of README.md's example, on loopback, with a certificate of the test's own.
daemon off;
worker_processes 1;
pid $_d/nginx.pid;
error_log $_d/error.log warn;
events { worker_connections 512; }
http {
	access_log $_d/access.log;
	client_body_temp_path $_d/tmp/body;
	proxy_temp_path $_d/tmp/proxy;
	fastcgi_temp_path $_d/tmp/fastcgi;
	uwsgi_temp_path $_d/tmp/uwsgi;
	scgi_temp_path $_d/tmp/scgi;
	upstream termijnd {
		server 127.0.0.1:$_backend;
		keepalive 16;
	}
	server {
		listen 127.0.0.1:$TLS_PORT ssl;
		server_name localhost;
		ssl_certificate $_d/cert.pem;
		ssl_certificate_key $_d/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		location /api/ {
			proxy_pass http://termijnd;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
		location /feed/ {
			proxy_pass http://termijnd;
			# Kept HTTP/1.1 connections: termijnd answers cached feeds on them without evhttp.
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
		# The pages of signing in and acting: they set a cookie Secure over HTTPS.
		location ~ ^/(signin|signout|me|done)(/|\$) {
			proxy_pass http://termijnd;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
	}
	# What not to do: the API over plain HTTP. termijnd refuses tokens that come this way.
	server {
		listen 127.0.0.1:$PLAIN_PORT;
		location /api/ {
			proxy_pass http://termijnd;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
	}
}
EOC
	nginx -p "$_d" -c "$_d/nginx.conf" -e "$_d/error.log" &
	TLS_PID=$!
	for _ in $(seq 1 100); do
		curl -s -o /dev/null --cacert "$TLS_CERT" "https://localhost:$TLS_PORT/" && return 0
		kill -0 "$TLS_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "nginx did not start:" >&2
	cat "$_d/error.log" >&2
	return 1
}

tls_proxy_stop() {
	[ -n "$TLS_PID" ] || return 0
	kill -TERM "$TLS_PID" 2>/dev/null
	wait "$TLS_PID" 2>/dev/null
	TLS_PID=
}
