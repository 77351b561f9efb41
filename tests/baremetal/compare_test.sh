#!/usr/bin/env bash
# Runs the EL0 workload in the bare-metal image under QEMU and on the
# simulator, and passes when every layout's (granule and mapping) and
# strategy's line (status, faults, pages copied, frames shared, TLBIs by
# kind) is identical in both worlds, for every granule the CPU reports.
set -uo pipefail
image=$1
cpu=$2
sim=$3
range=()
[[ $cpu == max ]] && range=(--range_tlbi)  # cortex-a72 has no FEAT_TLBIRANGE.
output=$(timeout 300 qemu-system-aarch64 -M virt -cpu "$cpu" -m 256M -nic none \
           -display none -monitor none -serial stdio -semihosting \
           -kernel "$image" < /dev/null 2>&1 | tr -d '\r')
hw=$(grep '"event":"fork_test"' <<<"$output")
granules=$(grep -o '"granules_kib":\[[0-9,]*\]' <<<"$output" | grep -o "[0-9][0-9,]*")
if [[ -z $hw || -z $granules ]]; then
  echo "the image reported no granules or no fork_test lines:"
  echo "$output" | tail -5
  exit 1
fi
simulated=$("$sim" "${range[@]}" --granules_kib="$granules")
if ! diff <(echo "$simulated") <(echo "$hw"); then
  echo "simulator (<) and bare metal on $cpu (>) disagree"
  exit 1
fi
echo "$hw"
echo "bare metal ($cpu) and simulator agree for $(wc -l <<<"$hw") layouts x strategies in granules $granules KiB"
