#!/usr/bin/env bash
# Runs the EL0 workload in the bare-metal image under QEMU and on the
# simulator, and passes when every strategy's line (status, faults, pages
# copied, frames shared, TLBIs by kind) is identical in both worlds.
set -uo pipefail
image=$1
cpu=$2
sim=$3
range=()
[[ $cpu == max ]] && range=(--range_tlbi)  # cortex-a72 has no FEAT_TLBIRANGE.
hw=$(timeout 300 qemu-system-aarch64 -M virt -cpu "$cpu" -m 256M -nic none \
       -display none -monitor none -serial stdio -semihosting \
       -kernel "$image" < /dev/null 2>&1 | tr -d '\r' | grep '"event":"fork_test"')
simulated=$("$sim" "${range[@]}")
if [[ -z $hw ]]; then
  echo "the image reported no fork_test lines"
  exit 1
fi
if ! diff <(echo "$simulated") <(echo "$hw"); then
  echo "simulator (<) and bare metal on $cpu (>) disagree"
  exit 1
fi
echo "$hw"
echo "bare metal ($cpu) and simulator agree for $(wc -l <<<"$hw") strategies"
