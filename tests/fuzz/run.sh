#!/usr/bin/env bash
# Runs one fuzz target for a fixed time: first every committed input under
# tests/fuzz/corpus/<target> (the regression cases among them), then new
# ones, kept in the build tree's own corpus. Exits non-zero, naming the
# saved input, if any input crashes or breaks a property.
#   run.sh BUILD_FUZZ_DIR TARGET SECONDS
set -euo pipefail
dir=$1
target=$2
seconds=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$dir/corpus/$target
artifacts=$dir/artifacts/$target
mkdir -p "$work" "$artifacts"
seeds=()
[[ -d $here/corpus/$target ]] && seeds+=("$here/corpus/$target")
dict=()
case $target in
  result_set) dict=(-dict="$here/json.dict") ;;
  # The cost files ttbench ships are the cost-file loader's best seeds.
  cost_file)
    dict=(-dict="$here/json.dict")
    seeds+=("$here/../../bench/costs")
    ;;
esac
log=$artifacts/last-run.log
if ! "$dir/${target}_fuzz" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
       -artifact_prefix="$artifacts/" "$work" "${seeds[@]+"${seeds[@]}"}" \
       >"$log" 2>&1; then
  grep -E "fuzz property failed|ERROR|SUMMARY|Test unit written" "$log" ||
    tail -20 "$log"
  exit 1
fi
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
echo "$target: $runs inputs in $seconds s, no failure (corpus $(ls "$work" | wc -l) new + committed)"
