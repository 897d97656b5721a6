#!/usr/bin/env bash
# `npm start`: credless with the seed's whole system on one machine. Starts `credless up` (data in
# ./.credless, https://localhost:8443), runs the seed's pipeline against it (examples/seed/pipeline.sh:
# local cluster, GitHub Actions login, registry, sample app), prints the API and app URLs and stays in
# the foreground until Ctrl-C, which stops credless and the app's pods. Run it again: the pipeline is
# idempotent and the data directory is kept.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CREDLESS="$ROOT/node_modules/.bin/credless"
if [ ! -x "$CREDLESS" ]; then
  echo "credless is not installed in $ROOT: run npm ci first" >&2
  exit 1
fi

DATA_DIR="${CREDLESS_DATA_DIR:-$ROOT/.credless}"
PORT="${CREDLESS_PORT:-8443}"
URL="${CREDLESS_PUBLIC_URL:-https://localhost:$PORT}"
mkdir -p "$DATA_DIR"
LOG="$DATA_DIR/credless.log"
OUTPUTS="$(mktemp "${TMPDIR:-/tmp}/credless-start.XXXXXX")"

SERVER_PID=""
PIPELINE_PID=""
stop() {
  trap - INT TERM EXIT
  set +e # stopping: keep going whatever the server's exit status
  rm -f "$OUTPUTS"
  # The pipeline runs in its own process group (setsid below): stop it and the commands it runs.
  if [ -n "$PIPELINE_PID" ] && kill -0 "$PIPELINE_PID" 2>/dev/null; then
    kill -TERM -- "-$PIPELINE_PID" 2>/dev/null
    wait "$PIPELINE_PID" 2>/dev/null
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    echo
    echo "stopping credless and the app's pods…"
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

echo "starting credless on $URL (data directory $DATA_DIR, log $LOG)…"
"$CREDLESS" up --data-dir "$DATA_DIR" --port "$PORT" >"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 20 "$LOG" >&2
    echo "credless up exited (above; is port $PORT in use? set CREDLESS_PORT)" >&2
    exit 1
  fi
  if [ -f "$DATA_DIR/tls/ca.crt" ] &&
    curl -fsS --cacert "$DATA_DIR/tls/ca.crt" "$URL/readyz" >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done

echo "deploying the seed's sample app with its pipeline (examples/seed/pipeline.sh)…"
# In the background and waited for: bash runs a trap only once its foreground command ends, so a
# SIGTERM during a foreground pipeline would wait for the whole deployment.
CREDLESS_URL="$URL" CREDLESS_DATA_DIR="$DATA_DIR" GITHUB_OUTPUT="$OUTPUTS" \
  setsid bash "$ROOT/examples/seed/pipeline.sh" &
PIPELINE_PID=$!
wait "$PIPELINE_PID"
PIPELINE_PID=""

output() { sed -n "s/^$1=//p" "$OUTPUTS" | tail -n 1; }
tenant="$(sed -n 's/^ *default tenant *//p' "$LOG" | head -n 1)"
cat <<EOF

credless is running with the seed's sample app
  API (authority host)  $URL
  tenant                $tenant ($(output organizationName))
  Graph API             $URL/v1.0
  app (frontend)        $(output frontendUrl)
  trust the local CA    export NODE_EXTRA_CA_CERTS=$DATA_DIR/tls/ca.crt
  local cluster         credless cluster get pods -n dev-aks --namespace azure-workload-identity-system --data-dir $DATA_DIR
  server log            $LOG

Press Ctrl-C to stop.
EOF
wait "$SERVER_PID"
