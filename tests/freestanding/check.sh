#!/usr/bin/env bash
# Compiles every engine/*.cc, and a file that includes every engine header
# and instantiates its templates, for aarch64-none-elf with only the
# compiler's own headers, then checks that the objects need nothing but
# memcpy, memset and ValueOfError (which the bare-metal image provides).
set -euo pipefail
root=$1
out=$2
mkdir -p "$out"
flags=(--target=aarch64-none-elf -std=c++20 -ffreestanding -fno-exceptions
       -fno-rtti -nostdlibinc -mgeneral-regs-only -O2 -Wall -Werror
       -I "$root")
objects=()
for src in "$root"/engine/*.cc "$root"/tests/freestanding/engine_all.cc; do
  obj="$out/$(basename "${src%.cc}").o"
  clang++ "${flags[@]}" -c "$src" -o "$obj"
  objects+=("$obj")
done
ld.lld -r "${objects[@]}" -o "$out/engine.o"
undefined=$(llvm-nm --undefined-only --format=just-symbols "$out/engine.o" |
            grep -v -x -e memcpy -e memset -e _ZN3ttb12ValueOfErrorENS_6StatusE |
            sort -u || true)
if [[ -n "$undefined" ]]; then
  echo "engine objects need symbols a freestanding image lacks:" $undefined
  exit 1
fi
echo "engine: ${#objects[@]} objects built for aarch64-none-elf, freestanding"
