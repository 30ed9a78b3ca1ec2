#!/usr/bin/env bash
# Builds the e2e toolchain from the Go modules under e2e/tools/, one module per tool,
# pinned by its committed go.mod and go.sum. Nothing is downloaded but Go modules.
#
#   e2e/tools/build.sh [tool ...]          build the named tools (default: all); prints one bin dir a line
#   e2e/tools/build.sh --test [tool ...]   also runs the Go tests of those tools' own code
#                                          (the bridged providers' checks against the npm SDKs and a
#                                          real Vault and the Cloudflare API double, the language
#                                          host's argument parsing)
#
# A tool is a folder here holding a Go module and a `targets` file, one binary a line:
#   <binary name>|<package>|<ldflags>|<build tags>|<gcflags>
# where {version <module>} in the ldflags stands for that module's version in the tool's go.mod,
# and {bare-version <module>} for that version without its leading "v"; the gcflags, if any, are
# one `<package pattern>=<flags>` for packages that need other compiler flags than the rest, and
# hold for the tool's whole build and tests.
# An optional prepare.sh runs in the build's copy of the module first (it copies files that a
# module ships but does not embed; it downloads the modules it reads). An optional install.sh runs
# there last, with the binaries' folder as its argument (it adds files a release ships beside
# its binaries).
#
# A tool's binaries land in $FFNODES_E2E_CACHE/bin/<tool>-<key>, where <key> hashes the tool's
# folder and the Go version: a changed pin builds anew, an unchanged one is reused. All tools
# share one module cache and one build cache, so common dependencies compile once.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${FFNODES_E2E_CACHE:-$HOME/.cache/ffnodes-e2e}
export GOMODCACHE=$cache/gomod GOCACHE=$cache/gocache
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
# The compiler spends much of its time collecting garbage; it may grow its heap fourfold instead
# of twofold, bounded so that the largest link (the Cloudflare provider's) stays within memory.
# Set on builds only: a test's processes inherit go test's environment.
go_gc=(env GOGC=400 GOMEMLIMIT=8GiB)

say() { echo "build.sh: $*" >&2; }

all_tools() { for d in "$here"/*/targets; do basename "$(dirname "$d")"; done; }

# The version of a module as the tool's go.mod requires it, so that each pin is written once.
module_version() {
  local v
  v=$(cd "$1" && go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$2")
  [ -n "$v" ] || { say "$1/go.mod does not require $2"; return 1; }
  echo "$v"
}

expand_versions() {
  local dir=$1 text=$2 form module version
  while [[ $text =~ \{(version|bare-version)\ ([^}]+)\} ]]; do
    form=${BASH_REMATCH[1]} module=${BASH_REMATCH[2]}
    version=$(module_version "$dir" "$module")
    [ "$form" = version ] || version=${version#v}
    text=${text//"{$form $module}"/$version}
  done
  echo "$text"
}

# A tool's compiler flags, one a line, the same for its builds and its tests: go test ./...
# compiles every package of the module, and under other flags would compile them again. The
# compiler writes no DWARF, since every binary and test binary is linked without it (-w); the
# targets' last field adds flags for some packages.
compile_flags() {
  printf '%s\n' -trimpath -gcflags=all=-dwarf=false
  awk -F'|' '$1 !~ /^#/ && $5 != "" { print "-gcflags=" $5 }' "$here/$1/targets" | sort -u
}

key_of() {
  (cd "$here/$1" && find . -type f | LC_ALL=C sort | xargs sha256sum; go version) | sha256sum | cut -c1-16
}

build_tool() {
  local tool=$1 key out src started name pkg ld tags flags
  key=$(key_of "$tool")
  out=$cache/bin/$tool-$key
  mkdir -p "$cache/locks"
  # One build of a pin at a time: a second caller waits for the first and reuses its result.
  exec {lock}>"$cache/locks/$tool-$key"
  flock "$lock"
  if [ -f "$out/.complete" ]; then
    flock -u "$lock"
    echo "$out"
    return
  fi
  started=$(date +%s)
  say "building $tool into $out (the first build of a pin takes minutes; later runs reuse it)"
  src=$cache/src/$tool-$key
  rm -rf "$src" "$out.partial"
  mkdir -p "$src" "$out.partial"
  cp -R "$here/$tool/." "$src/"
  # Modules download as the build needs them: only those whose packages it compiles.
  if [ -x "$src/prepare.sh" ]; then (cd "$src" && ./prepare.sh) >&2; fi
  mapfile -t flags < <(compile_flags "$tool")
  while IFS='|' read -r name pkg ld tags _; do
    [ -n "$name" ] && [ "${name:0:1}" != "#" ] || continue
    ld=$(expand_versions "$src" "$ld")
    say "  go build $pkg -> $name"
    (cd "$src" && "${go_gc[@]}" go build "${flags[@]}" -tags "$tags" -ldflags "-s -w $ld" -o "$out.partial/$name" "$pkg") >&2
  done < "$src/targets"
  if [ -x "$src/install.sh" ]; then (cd "$src" && ./install.sh "$out.partial") >&2; fi
  touch "$out.partial/.complete"
  rm -rf "$out" "$src"
  mv "$out.partial" "$out"
  # Earlier pins of this tool are not used again.
  find "$cache/bin" -maxdepth 1 -regextype posix-extended -regex ".*/$tool-[0-9a-f]{16}(\.partial)?" ! -path "$out" -exec rm -rf {} +
  flock -u "$lock"
  say "built $tool in $(( $(date +%s) - started ))s"
  echo "$out"
}

command -v go >/dev/null || { say "Go is not installed; the e2e toolchain is built with it (README: End to end)"; exit 1; }
testing=false
if [ "${1:-}" = --test ]; then testing=true; shift; fi
if [ $# -gt 0 ]; then tools=("$@"); else mapfile -t tools < <(all_tools); fi
for tool in "${tools[@]}"; do
  [ -f "$here/$tool/targets" ] || { say "unknown tool '$tool' (known: $(all_tools | tr '\n' ' '))"; exit 2; }
  build_tool "$tool"
done
if $testing; then
  VAULT_BIN="$(build_tool vault)/vault"
  CLOUDFLARE_API_BIN="$(build_tool cloudflare-api)/cloudflare-api"
  export VAULT_BIN CLOUDFLARE_API_BIN
  for tool in "${tools[@]}"; do
    [ -n "$(find "$here/$tool" -name '*_test.go' -print -quit)" ] || continue
    say "go test $tool"
    mapfile -t flags < <(compile_flags "$tool")
    (cd "$here/$tool" && go test "${flags[@]}" -ldflags="-s -w" ./...) >&2
  done
fi
