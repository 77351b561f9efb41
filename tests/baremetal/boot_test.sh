#!/usr/bin/env bash
# Boots the bare-metal image under qemu-system-aarch64 -M virt on one CPU
# model and passes when it exits 0 having reported zero walker mismatches.
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
# One walker check per regime (39- and 48-bit), each with zero mismatches.
checks=$(grep -c '"event":"walker_check".*"mismatches":0}' <<<"$output")
if ((checks != 2)); then
  echo "want 2 walker_check lines with zero mismatches, got $checks"
  exit 1
fi
