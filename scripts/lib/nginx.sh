# Shared by scripts/bench-client and scripts/measurements (sourced, not run).
#
# nginx_setup DIR LISTEN [ACCESS_LOG]: writes into DIR a CA (ca.pem), an
# ECDSA P-256 certificate for localhost and 127.0.0.1 (leaf.pem, leaf.key)
# and nginx.conf: 1 worker, TLS 1.2 and 1.3, X25519 only, session tickets and
# a shared session cache, early data on, `return 200 "ok\n"` for every
# request, listening on LISTEN (e.g. 127.0.0.1:8443). With ACCESS_LOG, one
# line per request: "$ssl_protocol $ssl_session_reused $ssl_early_data
# $status"; without, no access log.
# nginx_cmd DIR: the command that runs it in the foreground.

nginx_setup() {
  local dir=$1 listen=$2 alog=${3:-}
  mkdir -p "$dir/logs"
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/ca.key" -subj /CN=bench-ca -days 2 -out "$dir/ca.pem" 2>/dev/null
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/leaf.key" 2>/dev/null
  openssl req -new -key "$dir/leaf.key" -subj /CN=localhost -out "$dir/leaf.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$dir/ext"
  openssl x509 -req -in "$dir/leaf.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/ext" -out "$dir/leaf.pem" 2>/dev/null
  local logline="access_log off;"
  [ -n "$alog" ] && logline="log_format hs '\$ssl_protocol \$ssl_session_reused \$ssl_early_data \$status';
  access_log $alog hs;"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_rlimit_nofile 20000;
error_log $dir/logs/error.log;
pid $dir/nginx.pid;
events { worker_connections 19000; }
http {
  $logline
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen $listen ssl backlog=16384;
    ssl_certificate $dir/leaf.pem;
    ssl_certificate_key $dir/leaf.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve X25519;
    ssl_session_tickets on;
    ssl_session_cache shared:SSL:10m;
    ssl_early_data on;
    keepalive_timeout 10s;
    location / { return 200 "ok\n"; }
  }
}
CONF
}

nginx_cmd() { echo "nginx -p $1 -c $1/nginx.conf -g 'daemon off;'"; }

# free_port: a TCP and UDP port no socket uses, below the ephemeral range
# (so no client connection takes it between the check and the bind).
free_port() {
  local p lo
  lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  while :; do
    p=$((10000 + RANDOM % (lo - 10000)))
    if [ -z "$(ss -Htuan "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return; fi
  done
}

# start_nginx DIR: runs it in the background; sets nginx_master and
# nginx_worker (pids), or fails with nginx's output.
start_nginx() {
  local dir=$1
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/stderr" &
  nginx_master=$!
  nginx_worker=""
  for _ in $(seq 50); do
    nginx_worker=$(pgrep -P "$nginx_master" | head -1 || true)
    [ -n "$nginx_worker" ] && return 0
    sleep 0.1
  done
  echo "nginx did not start:" >&2
  cat "$dir/stderr" "$dir/logs/error.log" >&2
  return 1
}

# ensure_packages PKG...: installs missing Debian packages when root with apt-get.
ensure_packages() {
  command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || return 0
  local missing="" p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -n "$missing" ] || return 0
  echo "installing Debian packages:$missing" >&2
  apt-get update -qq
  local rm_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    rm_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ -z "$rm_policy" ] || rm -f /usr/sbin/policy-rc.d
}
