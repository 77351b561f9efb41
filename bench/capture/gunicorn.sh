#!/usr/bin/env bash
# Captures a preforking server's fork: Debian's gunicorn master, serving a
# small WSGI app under an HTTP load, forks one more worker when sent TTIN;
# the worker lives on, so the parent is watched for SECONDS after the fork.
#   gunicorn.sh DRIVER OUT.ttrace.gz [SECONDS]
set -euo pipefail
driver=$1
out=$2
seconds=${3:-5}
port=8391
source "$(dirname "$0")/scratch.sh"
# The app keeps some state in the master (loaded before the fork, with
# --preload), as a real app's code and data are.
cat >"$dir/app.py" <<'PY'
TABLE = {i: str(i) * 20 for i in range(200000)}

def app(environ, start_response):
    key = len(environ.get("PATH_INFO", "")) % len(TABLE)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [TABLE[key].encode()]
PY
workers=2
server=(gunicorn --chdir "$dir" --preload --workers "$workers"
        --bind "127.0.0.1:$port" app:app)
"${server[@]}" >"$dir/server.log" 2>&1 &
pid=$!
pids+=("$pid")
until curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1; do sleep 0.1; done
# The load: requests the workers serve while the master watches them.
(while true; do curl -s "http://127.0.0.1:$port/abc" >/dev/null || true; done) &
pids+=($!)
sleep 1
children() { cat /proc/"$pid"/task/*/children | wc -w; }
version=$(gunicorn --version | grep -o '[0-9][0-9.]*' | head -1)
"$driver" capture "$out" --pid "$pid" \
  --trigger "kill -TTIN $pid; until [ \$(cat /proc/$pid/task/*/children | wc -w) -gt $workers ]; do sleep 0.01; done" \
  --watch_seconds "$seconds" \
  --program "gunicorn $version" \
  --program_command "${server[*]}; curl load; kill -TTIN"
