#!/usr/bin/env bash
# Boots the bare-metal image under qemu-system-aarch64 -M virt on one CPU
# model and passes when it exits 0 having checked the walker in every
# granule the CPU has, with zero mismatches.
# A guest that hangs is killed after the timeout, with its last output.
set -uo pipefail
image=$1
cpu=$2
output=$(timeout 300 qemu-system-aarch64 -M virt -cpu "$cpu" -m 256M \
           -nic none -display none -monitor none -serial stdio \
           -semihosting -kernel "$image" < /dev/null 2>&1)
status=$?
echo "$output"
if ((status == 124)); then
  echo "qemu ($cpu) timed out after 300 s"
  exit 1
fi
if ((status != 0)); then
  echo "qemu ($cpu) exited with status $status"
  exit 1
fi
# One walker check per regime of each granule the CPU reports (4 KiB: 39-
# and 48-bit; 16 KiB: 47-bit; 64 KiB: 42- and 48-bit), each with zero
# mismatches.
granules=$(grep -o '"granules_kib":\[[0-9,]*\]' <<<"$output" | grep -o '[0-9]\+')
if [[ -z $granules ]]; then
  echo "the boot line names no granule"
  exit 1
fi
declare -A regimes=([4]=2 [16]=1 [64]=2)
for kib in $granules; do
  want=${regimes[$kib]:-0}
  got=$(grep -c "\"event\":\"walker_check\",\"granule_kib\":$kib,.*\"mismatches\":0}" <<<"$output")
  if ((got != want)); then
    echo "want $want walker_check lines for the $kib KiB granule with zero mismatches, got $got"
    exit 1
  fi
done
# QEMU's max CPU has every granule; its check must cover all three.
if [[ $cpu == max && $(tr '\n' ' ' <<<"$granules") != "4 16 64 " ]]; then
  echo "QEMU's max CPU reports granules $granules, not 4, 16 and 64 KiB"
  exit 1
fi
