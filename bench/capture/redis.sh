#!/usr/bin/env bash
# Captures Redis's BGSAVE fork: Debian's redis-server holding KEYS keys of
# 400 bytes (2,000,000: about 1.2 GB), under a SET load from
# redis-benchmark, records BGSAVE's fork with `ttbench-bench capture`.
#   redis.sh DRIVER OUT.ttrace.gz [KEYS]
set -euo pipefail
driver=$1
out=$2
keys=${3:-2000000}
port=6390
source "$(dirname "$0")/scratch.sh"
server=(redis-server --port "$port" --dir "$dir" --save "" --appendonly no
        --enable-debug-command yes)
"${server[@]}" >"$dir/server.log" 2>&1 &
pid=$!
pids+=("$pid")
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
redis-cli -p "$port" DEBUG POPULATE "$keys" key 400 >/dev/null
redis-benchmark -p "$port" -t set -r "$keys" -d 400 -P 16 -n 1000000000 -q \
  >/dev/null 2>&1 &
pids+=($!)
sleep 2  # The load settles.
version=$(redis-server --version | grep -o 'v=[0-9.]*' | cut -d= -f2)
"$driver" capture "$out" --pid "$pid" \
  --trigger "redis-cli -p $port BGSAVE >/dev/null" \
  --report "sleep 1; redis-cli -p $port INFO" \
  --report_keys latest_fork_usec,rdb_last_cow_size,rdb_last_bgsave_time_sec,used_memory \
  --program "redis-server $version" \
  --program_command "${server[*]}; DEBUG POPULATE $keys key 400; redis-benchmark -t set -r $keys -d 400 -P 16; BGSAVE"
