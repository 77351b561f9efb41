# Sourced by the capture scripts: a scratch directory `dir`, and `pids`,
# the processes they start, all killed and the directory removed on exit.
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
