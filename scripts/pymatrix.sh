#!/usr/bin/env bash
# The package and its tests on every current Python this machine can get (issue 17).
#
#   scripts/pymatrix.sh                 # every CPython >= 3.11 found here, plus Debian testing's python3
#   scripts/pymatrix.sh --no-debian     # only the interpreters already on the machine
#   scripts/pymatrix.sh --only-debian   # only Debian testing's python3
#   TESTS="tests/api/test_api.py" scripts/pymatrix.sh     # another selection (default: $QUICK below)
#   FULL=1 scripts/pymatrix.sh          # the whole suite on each
#
# For each interpreter: a new venv under /tmp, `pip install '.[test,eval,llm]'` of a clean clone of HEAD,
# `python -m assistant index build` (seconds: shipped vectors), then pytest.  Where they come from:
#   * python3.11 … python3.14 on PATH and pyenv's versions (this machine image has 3.11, 3.12, 3.13);
#   * the newest: Debian testing's python3 (3.14 in Dec 2026), in a minimal Debian root made with
#     debootstrap from Debian's own package archive (no download outside the registries), kept in
#     $DEBIAN_ROOT for the next run.
# Prints one line per Python and writes eval/reports/pymatrix.json.  Exit 1 when any Python failed.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
QUICK="tests/e2e/test_packaging.py tests/e2e/test_index.py tests/unit/test_shipped_embeddings.py tests/unit/test_index_transfer.py tests/api/test_api.py tests/unit/test_normalize.py tests/api/test_spelling.py tests/unit/test_corpus.py"
TESTS=${TESTS:-$QUICK}
[ "${FULL:-0}" = 1 ] && TESTS=""
EXTRAS=${EXTRAS:-test,eval,llm}
DEBIAN=1
LOCAL=1
[ "${1:-}" = "--no-debian" ] && DEBIAN=0
[ "${1:-}" = "--only-debian" ] && LOCAL=0
DEBIAN_SUITE=${DEBIAN_SUITE:-forky}
DEBIAN_ROOT=${DEBIAN_ROOT:-/tmp/pymatrix-debian-$DEBIAN_SUITE}
WORK=$(mktemp -d /tmp/pymatrix-XXXX)
REPORT=${REPORT:-eval/reports/pymatrix.json}
results=()

# one interpreter per minor version, >= 3.11
find_pythons() {
  local seen="" p v
  for p in $(command -v python3.11 python3.12 python3.13 python3.14 python3 2>/dev/null) \
           "$HOME"/.pyenv/versions/3.1[1-9]*/bin/python3; do
    [ -x "$p" ] || continue
    v=$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2]) if sys.version_info >= (3, 11) else None' 2>/dev/null) || continue
    [ -n "$v" ] && [ "$v" != None ] || continue
    case " $seen " in *" $v "*) continue ;; esac
    seen="$seen $v"
    echo "$p"
  done
}

# run_suite LABEL PYTHON SRC [ROOT]: venv, install, index, tests, with SRC and PYTHON as seen inside the
# Debian root ROOT when given (chroot); prints one line and appends a JSON object to results
run_suite() {
  local label=$1 py=$2 src=$3 root=${4:-} in="" t0 t1 t2 t3 rc log version summary
  [ -n "$root" ] && in="chroot $root"
  log="$WORK/$label.log"
  t0=$(date +%s)
  version=$($in "$py" --version 2>&1)
  $in bash -c "cd $src && '$py' -m venv .venv && .venv/bin/python -m pip install -q '.[$EXTRAS]'" >"$log" 2>&1
  rc=$?; t1=$(date +%s)
  [ $rc = 0 ] && { $in bash -c "cd $src && .venv/bin/python -m assistant index build" >>"$log" 2>&1; rc=$?; }
  t2=$(date +%s)
  [ $rc = 0 ] && { $in bash -c "cd $src && .venv/bin/python -m pytest -q -p no:cacheprovider $TESTS" >>"$log" 2>&1; rc=$?; }
  t3=$(date +%s)
  summary=$(grep -E "[0-9]+ (passed|failed)|error" "$log" | tail -1 | sed 's/"/\\"/g')
  printf '%-26s %-15s install %4ss  index %3ss  tests %4ss  %s\n' "$label" "$version" $((t1-t0)) $((t2-t1)) \
    $((t3-t2)) "${summary:-exit $rc, see $log}"
  results+=("{\"label\": \"$label\", \"python\": \"$version\", \"exit_code\": $rc, \"install_s\": $((t1-t0)), \"index_s\": $((t2-t1)), \"tests_s\": $((t3-t2)), \"pytest\": \"$summary\"}")
  [ $rc = 0 ]
}

status=0
for py in $( [ $LOCAL = 1 ] && find_pythons); do
  src="$WORK/python$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  git clone -q "$REPO" "$src"
  run_suite "$(basename "$src")" "$py" "$src" || status=1
  rm -rf "$src"
done

if [ $DEBIAN = 1 ]; then
  if [ ! -x "$DEBIAN_ROOT/usr/bin/python3" ]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
    script=/usr/share/debootstrap/scripts/$DEBIAN_SUITE
    [ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid  # an older debootstrap knows testing as sid
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$DEBIAN_SUITE" "$DEBIAN_ROOT" \
      http://deb.debian.org/debian "$script" >"$WORK/debootstrap.log" 2>&1 || { echo "debootstrap failed: $WORK/debootstrap.log"; status=1; }
  fi
  if [ -x "$DEBIAN_ROOT/usr/bin/python3" ]; then
    cp /etc/resolv.conf "$DEBIAN_ROOT/etc/resolv.conf"
    # the same trust store as this machine's pip (its PIP_CERT), so pip inside reaches the registry too
    cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$DEBIAN_ROOT/etc/ssl/certs/ca-certificates.crt"
    mountpoint -q "$DEBIAN_ROOT/proc" || mount -t proc proc "$DEBIAN_ROOT/proc"
    mountpoint -q "$DEBIAN_ROOT/dev" || mount --bind /dev "$DEBIAN_ROOT/dev"
    rm -rf "$DEBIAN_ROOT/src"; git clone -q "$REPO" "$DEBIAN_ROOT/src"
    run_suite "debian-$DEBIAN_SUITE" /usr/bin/python3 /src "$DEBIAN_ROOT" || status=1
    umount "$DEBIAN_ROOT/dev" "$DEBIAN_ROOT/proc" 2>/dev/null
    rm -rf "$DEBIAN_ROOT/src"
  fi
fi

mkdir -p "$(dirname "$REPORT")"
{ echo "{\"tests\": \"${TESTS:-all}\", \"extras\": \"$EXTRAS\", \"measured_at\": \"$(date -u +%FT%TZ)\", \"runs\": ["
  (IFS=,; echo "${results[*]}")
  echo "]}"; } | python3 -m json.tool > "$REPORT"
echo "→ $REPORT (logs in $WORK)"
exit $status
