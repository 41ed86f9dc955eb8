#!/usr/bin/env bash
# A short coverage-guided fuzz run of every money, card and wire-format target (CI runs
# it after the suite).
#
# Budgets are execution counts, not durations: with a duration (-fuzztime 8s) Go 1.26's
# fuzz coordinator can report a spurious "context deadline exceeded" failure at the
# deadline with no crasher (golang/go#75804, fixed in Go 1.27). A count has no deadline to
# race. Each count is a few seconds of work on 2 cores; FUZZSCALE multiplies them all.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${FUZZSCALE:-1}
while read -r pkg target n; do
  count=$((n * scale))
  echo "== fuzz $pkg $target (${count} execs)"
  # A target that moved or was renamed must fail here, not fuzz nothing.
  listed=$(go test -list "^${target}\$" "$pkg")
  if ! grep -qx "$target" <<<"$listed"; then
    echo "fuzz target $target not found in $pkg" >&2
    exit 1
  fi
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "${count}x" -parallel 2 "$pkg"
done <<'LIST'
./domain/money FuzzParse 200000
./domain/money FuzzParseString 200000
./domain/card FuzzOpen 150000
./domain/card FuzzParseID 200000
./actors/codec FuzzDecodeEvent 50000
./gateway/aggregator FuzzVerify 3000
./gateway/aggregator FuzzParseAuthorization 100000
./gateway/alipay FuzzVerifyNotification 3000
./gateway/alipay FuzzParseYuan 100000
./app/enrolment FuzzParsePupilFile 10000
LIST
