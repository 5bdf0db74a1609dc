#!/usr/bin/env bash
# Bootstrap: find dotnet, rebuild the build only when its inputs changed (content hash), then run it directly.
# A warm run costs a find over build/ (a hash when something is newer) plus the build's own start-up: no
# `dotnet build`, no `dotnet run`.
set -eo pipefail

# the warm path forks nothing but one find: no $(cd … && pwd) for the root (a relative one serves), no subshell
# around the find; the absolute root is made only when the build must be compiled
ROOT="${BASH_SOURCE[0]%/*}"
[ "$ROOT" = "${BASH_SOURCE[0]}" ] && ROOT=.
OUT="$ROOT/.nuke/temp/build"
STAMP="$OUT/.inputs.sha256"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# W^X (on by default since .NET 7) maps every page of JIT-compiled code twice and remaps it at each write: on
# these virtual machines the remapping's TLB flushes cost a tenth of a no-op Deploy's CPU (measured 2026-12-03,
# 21 runs each: 0.93 s against 0.81 s of CPU). It matters to the ReadyToRun build below only: a native one
# compiles nothing at run time. A build runs for seconds on its operator's input, not as a server
# facing the network, so it gives that hardening up; set DOTNET_EnableWriteXorExecute=1 to keep it.
export DOTNET_EnableWriteXorExecute="${DOTNET_EnableWriteXorExecute:-0}"

inputs_hash() {
  (cd "$ROOT" && { find build -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum
    sha256sum global.json Directory.Build.props Directory.Packages.props; } | sha256sum | cut -d' ' -f1)
}

find_dotnet() {
  local wanted
  wanted="$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$ROOT/global.json" | head -n1)"
  for candidate in "${DOTNET_EXE:-}" "$(command -v dotnet 2>/dev/null || true)" "$HOME/.dotnet/dotnet" /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && (cd "$ROOT" && "$candidate" --version >/dev/null 2>&1); then
      DOTNET="$candidate"
      return
    fi
  done
  echo "error: no .NET SDK matching global.json (${wanted:-10.0}) found. Install the .NET 10 SDK (https://dot.net/download, or 'apt-get install dotnet-sdk-10.0') and put 'dotnet' on PATH, or set DOTNET_EXE." >&2
  exit 1
}

runtime_id() {
  local os arch
  case "$(uname -s)" in Darwin) os=osx ;; *) os=linux ;; esac
  case "$(uname -m)" in aarch64|arm64) arch=arm64 ;; *) arch=x64 ;; esac
  echo "$os-$arch"
}

# nothing under build/ (directories included: a deleted file changes its directory) is newer than the stamp:
# the hash cannot have changed, and a find costs a few milliseconds where hashing every source costs fifty
unchanged_since_stamp() {
  [ -f "$STAMP" ] && [ -x "$OUT/_build" ] && [ -z "$(find "$ROOT/build" "$ROOT/global.json" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" \
      \( -name bin -o -name obj -o -name node_modules \) -prune -o -newer "$STAMP" -print -quit 2>/dev/null)" ]
}

if unchanged_since_stamp; then exec "$OUT/_build" "$@"; fi
ROOT="$(cd "$ROOT" && pwd)"
OUT="$ROOT/.nuke/temp/build"
STAMP="$OUT/.inputs.sha256"
BUILD_PROJECT="$ROOT/build/_build.csproj"
hashed_at=$(date +%s)
hash="$(inputs_hash)"
if [ "$(cat "$STAMP" 2>/dev/null)" = "$hash" ] && [ -x "$OUT/_build" ]; then touch -d "@$hashed_at" "$STAMP"; fi
if [ ! -x "$OUT/_build" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$hash" ]; then
  find_dotnet
  mkdir -p "$OUT"
  # one rebuild at a time when several builds start together
  exec 9>"$OUT.lock"
  command -v flock >/dev/null && flock 9
  if [ "$(cat "$STAMP" 2>/dev/null)" != "$hash" ] || [ ! -x "$OUT/_build" ]; then
    echo "Compiling the build (inputs changed)..." >&2
    # Native (compiled ahead of time, https://learn.microsoft.com/dotnet/core/deploying/native-aot/): a run starts in
    # 0.07 s and loads no JIT, where ReadyToRun took 0.14 s and still compiled two thousand generic methods at each
    # start (a no-op Apply: 0.13 s of wall time against 0.51 s). Its compilation takes a minute or two, once per
    # change of build/. Trimming is partial: only the framework's trimmable assemblies are trimmed, so the reflection
    # over the build's parameters and targets sees all of them. When the native toolchain is missing (clang or gcc),
    # ReadyToRun does, then a plain build. (The compiler's log is its own file: the build's log,
    # .nuke/temp/build.log, is rewritten by every run.)
    rid="$(runtime_id)"
    publish() { "$DOTNET" publish "$BUILD_PROJECT" -c Release -r "$rid" -o "$OUT" -nologo -tl:off -clp:NoSummary --verbosity quiet /nodeReuse:false "$@"; }
    # the native and the ReadyToRun publish share obj/ but not their restore: a switch starts from a clean one
    forget_other_publish() { rm -rf "$ROOT/build/obj/Release/net10.0/$rid" "$ROOT/build/Engine/obj/Release/net10.0/$rid"; }
    if ! publish -p:PublishAot=true -p:TrimMode=partial -p:DebugType=none -p:TreatWarningsAsErrors=false >"$OUT-compile.log" 2>&1 &&
       { echo "note: the native compilation failed (see $OUT-compile.log; it needs a C toolchain: clang or gcc); compiling with ReadyToRun (the build starts slower)." >&2
         forget_other_publish; true; } &&
       ! publish --self-contained false -p:PublishReadyToRun=true >>"$OUT-compile.log" 2>&1 &&
       { echo "note: the ReadyToRun publish failed too; compiling without it (the build starts slower still)." >&2; true; } &&
       ! "$DOTNET" build "$BUILD_PROJECT" -c Release -o "$OUT" -nologo -tl:off -clp:NoSummary --verbosity quiet /nodeReuse:false >>"$OUT-compile.log" 2>&1; then
      grep -E 'error' "$OUT-compile.log" | sort -u >&2 || cat "$OUT-compile.log" >&2
      echo "error: the build project does not compile (full output: $OUT-compile.log)." >&2
      exit 1
    fi
    echo "$hash" > "$STAMP"
    # the stamp is as old as the hash, so that a source saved during the compilation is seen next time
    touch -d "@$hashed_at" "$STAMP"
  fi
  exec 9>&-
fi

exec "$OUT/_build" "$@"
