#!/usr/bin/env bash
# Fuzzes one target with afl++ and SharpFuzz on one core (see fuzz/README.md):
#   fuzz/run.sh wav|upload [MINUTES=20] [--keep]
# --keep minimises the queue with afl-cmin and makes it the corpus the replay tests read (finding-* files stay).
# FUZZ_WORK (default fuzz/out) holds the build and afl's output; FUZZ_CPU (default 1) is the core it runs on.
set -euo pipefail
target=${1:?usage: fuzz/run.sh wav|upload [MINUTES] [--keep]}
minutes=${2:-20}
keep=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-$root/fuzz/out}/$target
case $target in
  wav)
    corpus=$root/tests/Ser.Core.Tests/Audio/FuzzCorpus
    instrument=("Ser.Core.dll Ser.Core.Audio")
    cmin=() ;;
  upload)
    corpus=$root/tests/Ser.Api.Tests/Classification/FuzzCorpus
    # The form and multipart parsers are ASP.NET Core's own; instrument them too so afl sees their branches.
    framework=(Microsoft.AspNetCore.Http.dll Microsoft.AspNetCore.WebUtilities.dll Microsoft.Net.Http.Headers.dll)
    instrument=("Ser.Core.dll Ser.Core.Audio" "Ser.Api.dll Ser.Api.Classification"
      "Microsoft.AspNetCore.Http.dll Microsoft.AspNetCore.Http.Features" "Microsoft.AspNetCore.WebUtilities.dll"
      "Microsoft.Net.Http.Headers.dll")
    # Edges only: with hit counts afl-cmin keeps ~400 files (4 MB) of the parsers' loops; edges keep ~100 (1 MB).
    cmin=(-e) ;;
  *) echo "unknown target '$target' (wav or upload)" >&2; exit 2 ;;
esac

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++
fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c "${FUZZ_CPU:-1}")
run() { nice -n 10 "${pin[@]}" "$@"; }

echo "fuzz: building $target into $work/bin"
rm -rf "$work/bin" && mkdir -p "$work"
if ! run dotnet publish "$root/fuzz/Ser.Fuzz/Ser.Fuzz.csproj" -c Release -r linux-x64 --self-contained -o "$work/bin" -nologo \
  >"$work/publish.log" 2>&1; then
  tail -30 "$work/publish.log"
  exit 1
fi
bin=$work/bin/Ser.Fuzz
(cd "$root/fuzz" && dotnet tool restore >/dev/null)
if [ "$target" = upload ]; then
  "$bin" strip-r2r "${framework[@]/#/$work/bin/}"
fi
for spec in "${instrument[@]}"; do
  read -r -a parts <<<"$spec"
  (cd "$root/fuzz" && dotnet tool run sharpfuzz "$work/bin/${parts[0]}" "${parts[@]:1}")
done

# Seeds: the generated ones and the kept corpus, so a rerun starts where the last one stopped.
rm -rf "$work/seeds" "$work/in" "$work/findings" "$work/cmin"
"$bin" seeds "$work/seeds"
mkdir -p "$work/in" && cp "$work/seeds/$target"/* "$work/in/"
if [ -d "$corpus" ]; then cp "$corpus"/* "$work/in/"; fi

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_ALLOW_TMP=1
echo "fuzz: afl-fuzz on $target for $minutes min (log: $work/afl.log)"
# -t 10000: SharpFuzz runs every input in one process, so a timeout ends the whole campaign; 10 s means a real hang.
if ! run afl-fuzz -i "$work/in" -o "$work/findings" -t 10000 -m none -V $((minutes * 60)) -- "$bin" "$target" >"$work/afl.log" 2>&1; then
  tail -30 "$work/afl.log"
  echo "fuzz: afl-fuzz stopped early; the input it was running is $work/findings/default/.cur_input" >&2
  exit 1
fi
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|bitmap_cvg|saved_crashes|saved_hangs) ' \
  "$work/findings/default/fuzzer_stats"
echo "fuzz: crashes (inputs that raised an unexpected exception or broke an invariant):"
"$bin" replay "$target" "$work/findings/default/crashes" || true

if [ "$keep" = --keep ]; then
  run afl-cmin "${cmin[@]}" -i "$work/findings/default/queue" -o "$work/cmin" -t 10000 -m none -- "$bin" "$target" >"$work/cmin.log" 2>&1 \
    || { tail -20 "$work/cmin.log"; exit 1; }
  mkdir -p "$corpus"
  find "$corpus" -type f ! -name 'finding-*' -delete
  for f in "$work/cmin"/*; do
    install -m 644 "$f" "$corpus/$(sha256sum "$f" | cut -c1-16)"
  done
  echo "fuzz: kept $(find "$work/cmin" -type f | wc -l) inputs in $corpus ($(du -sh "$corpus" | cut -f1))"
fi
