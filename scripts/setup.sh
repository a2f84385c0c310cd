#!/usr/bin/env bash
# Prepares this machine to run and test ticket-intake. Installs Chromium and nginx for
# the browser and scale-out tests, installs and starts the MariaDB
# and Redis servers when they are missing or stopped (Debian packages; needs root),
# lets root log in to MariaDB over TCP without a password, and installs the npm
# dependencies when node_modules is missing or older than package-lock.json.
# Safe to run again: each step first checks whether its work is already done.
set -euo pipefail

cd "$(dirname "$0")/.."

readonly WAIT_SECONDS=30
readonly DATABASE=ticket_intake

section_name=""
section_start=$SECONDS

# Prints the time of the section that ends and the header of the next one.
section() {
  if [[ -n "$section_name" ]]; then
    echo "-- $section_name: $((SECONDS - section_start)) s"
  fi
  section_name="$1"
  section_start=$SECONDS
  echo
  echo "== $section_name"
}

fail() {
  echo "error: $*" >&2
  exit 1
}

# Retries a command once a second until it succeeds or WAIT_SECONDS have passed.
wait_until() {
  local what="$1"
  shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 1
  done
  echo "$what is ready"
}

redis_answers() {
  [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]
}

mariadb_socket_login() {
  mariadb -e 'SELECT 1' >/dev/null 2>&1
}

mariadb_tcp_login() {
  mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1
}

section "packages"
missing=()
if ! command -v mariadbd >/dev/null && [[ ! -x /usr/sbin/mariadbd ]]; then
  missing+=(mariadb-server)
fi
if ! command -v mariadb >/dev/null; then
  missing+=(mariadb-client)
fi
if ! command -v redis-server >/dev/null; then
  missing+=(redis-server)
fi
if ! command -v docker-compose >/dev/null; then
  missing+=(docker-compose)
fi
# npm compiles the XML parser libxmljs2 from source with node-gyp.
for tool in make g++ python3; do
  if ! command -v "$tool" >/dev/null; then
    missing+=(make g++ python3)
    break
  fi
done
# The dashboard's browser test drives Debian's Chromium at this path.
if [[ ! -x /usr/bin/chromium ]]; then
  missing+=(chromium)
fi
# The scale-out test puts nginx in front of several gateways.
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
  missing+=(nginx)
fi
if ((${#missing[@]} > 0)); then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "mariadb-server, redis-server, docker-compose, chromium, nginx and build tools are installed"
fi

section "redis"
if redis_answers; then
  echo "Redis answers on 127.0.0.1:6379"
else
  echo "starting redis-server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  if ! wait_until "Redis" redis_answers; then
    tail -n 20 /var/log/redis/ci.log >&2 || true
    fail "Redis did not answer PING on 127.0.0.1:6379 within ${WAIT_SECONDS} s; see /var/log/redis/ci.log"
  fi
fi

section "mariadb"
if mariadb_socket_login; then
  echo "MariaDB accepts root on its socket"
else
  # A fresh package install leaves an initialised data directory; this covers one
  # whose data directory was removed.
  if [[ ! -d /var/lib/mysql/mysql ]]; then
    echo "initialising /var/lib/mysql"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >/dev/null
  fi
  echo "starting mariadbd"
  install -d -o mysql -g mysql /run/mysqld
  # --oknodo makes this a no-op when a mariadbd is already running but not answering
  # yet. --output keeps what mariadbd prints to stderr, which is all of its log when
  # no log_error is configured.
  start-stop-daemon --start --oknodo --background --chuid mysql \
    --output /var/log/mariadb-ci-start.log \
    --exec /usr/sbin/mariadbd -- --bind-address=127.0.0.1
  # mariadb-admin ping succeeds as soon as the server answers, even when the login
  # is rejected, so a login problem is reported by the checks below instead.
  if ! wait_until "MariaDB" mariadb-admin --connect-timeout=2 ping; then
    tail -n 20 /var/log/mariadb-ci-start.log >&2 || true
    fail "MariaDB did not answer on its socket within ${WAIT_SECONDS} s; see /var/log/mariadb-ci-start.log and the log_error file of the server"
  fi
  mariadb_socket_login || fail "MariaDB runs, but root cannot log in on its socket; the next steps need that"
fi

# The tests connect as mysql://root@127.0.0.1:3306 without a password.
if mariadb_tcp_login; then
  echo "root logs in over TCP on 127.0.0.1 without a password"
else
  echo "allowing root to log in over TCP on 127.0.0.1 without a password"
  mariadb -e "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket"
  if ! mariadb_tcp_login; then
    # With skip-name-resolve, TCP connections from 127.0.0.1 do not match the host
    # "localhost", so they need accounts of their own.
    echo "adding root@127.0.0.1 and root@::1, because root@localhost does not match TCP connections here"
    mariadb <<'SQL'
CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS root@'::1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO root@'::1' WITH GRANT OPTION;
SQL
  fi
  mariadb_tcp_login || fail "root still cannot log in with an empty password at mysql://root@127.0.0.1:3306"
fi

mariadb -h 127.0.0.1 -P 3306 -u root \
  -e "CREATE DATABASE IF NOT EXISTS $DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
echo "database $DATABASE exists"

section "npm ci"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules matches package-lock.json"
fi

echo "-- $section_name: $((SECONDS - section_start)) s"
