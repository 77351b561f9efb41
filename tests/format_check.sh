#!/usr/bin/env bash
# Fails, naming the files, when any tracked or new C++ file is not formatted.
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
                       -- '*.h' '*.cc' | while read -r f; do
                       [[ -f "$f" ]] && echo "$f"; done)
bad=()
for f in "${files[@]}"; do
  clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "not clang-formatted: ${bad[*]}"
  exit 1
fi
echo "${#files[@]} files clang-formatted"
