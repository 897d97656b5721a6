#!/usr/bin/env bash
# Runs a command where the real `az` and `kubectl` reach a local credless under Microsoft's own host
# names. Run it INSIDE `unshare --net --mount` (root): a private network namespace (loopback only) and
# a private mount namespace, where a bind-mounted hosts file maps the names `credless az-env` lists to
# 127.0.0.1. The machine's own /etc/hosts is never touched.
#
#   unshare --net --mount bash examples/seed/support/az-namespace.sh COMMAND [ARG…]
#
# Starts `credless up` as `credless az-env` says (on :443, with its local CA), in CREDLESS_DATA_DIR
# (default: a temporary directory, removed at the end), exports what az, kubectl and credless need to
# trust and find it, runs COMMAND, stops credless and exits with COMMAND's status.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
CREDLESS="$ROOT/node_modules/.bin/credless"
[ "$#" -gt 0 ] || { echo "usage: unshare --net --mount bash $0 COMMAND [ARG…]" >&2; exit 2; }
if [ ! -x "$CREDLESS" ]; then echo "credless is not installed in $ROOT: run npm ci first" >&2; exit 1; fi
if [ "$(id -u)" != 0 ]; then echo "az-namespace.sh needs root inside unshare --net --mount" >&2; exit 1; fi
if [ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net 2>/dev/null || true)" ]; then
  echo "az-namespace.sh must run inside a private network namespace: unshare --net --mount bash $0 …" >&2
  exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/credless-az-namespace.XXXXXX")"
DATA="${CREDLESS_DATA_DIR:-$WORK/data}"
SERVER_PID=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; fi
  if [ "$status" -ne 0 ] && [ -f "$WORK/credless.log" ]; then
    echo "--- the last lines of credless's log:" >&2
    tail -n 40 "$WORK/credless.log" >&2
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

ip link set lo up
env_json="$("$CREDLESS" az-env --data-dir "$DATA" -o json)"
field() { node -e 'let x=JSON.parse(process.argv[1]);for(const k of process.argv[2].split("."))x=x[k];process.stdout.write(String(x))' "$env_json" "$1"; }
printf '127.0.0.1 localhost\n::1 localhost\n%s\n' "$(field hostsLine)" >"$WORK/hosts"
mount --bind "$WORK/hosts" /etc/hosts

# shellcheck disable=SC2046 # the serve line is words
set -- $(field serve) -- "$@"
shift # "credless"
serve=()
while [ "$1" != -- ]; do serve+=("$1"); shift; done
shift
"$CREDLESS" "${serve[@]}" --data-dir "$DATA" >"$WORK/credless.log" 2>&1 &
SERVER_PID=$!

# What az (python requests), kubectl (its kubeconfig names the CA), curl and credless's CLI trust.
export REQUESTS_CA_BUNDLE; REQUESTS_CA_BUNDLE="$(field environment.REQUESTS_CA_BUNDLE)"
export AZURE_CORE_COLLECT_TELEMETRY; AZURE_CORE_COLLECT_TELEMETRY="$(field environment.AZURE_CORE_COLLECT_TELEMETRY)"
export CURL_CA_BUNDLE="$REQUESTS_CA_BUNDLE" NODE_EXTRA_CA_CERTS="$REQUESTS_CA_BUNDLE"
export CREDLESS_URL="https://login.microsoftonline.com" CREDLESS_AUTHORITY="https://login.microsoftonline.com"
export CREDLESS_DATA_DIR="$DATA"
# Debian's az 2.45 needs two client-side fixes for `az role …` and `az aks update --attach-acr`.
export PYTHONPATH="$ROOT/examples/seed/support/az-2.45${PYTHONPATH:+:$PYTHONPATH}"
export CREDLESS_AZ_NAMESPACE=1

for _ in $(seq 1 240); do
  if [ -f "$REQUESTS_CA_BUNDLE" ] && curl -fsS "$CREDLESS_URL/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "credless up exited" >&2; exit 1; }
  sleep 0.25
done
curl -fsS "$CREDLESS_URL/readyz" >/dev/null || { echo "credless did not become ready" >&2; exit 1; }

status=0
"$@" || status=$?
exit "$status"
