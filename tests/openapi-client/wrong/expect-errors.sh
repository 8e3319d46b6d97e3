#!/usr/bin/env bash
# tsc must refuse wrong/wrong.ts, on exactly the lines marked WRONG-n.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(npx tsc --noEmit -p tsconfig.wrong.json 2>&1) && { echo "wrong/wrong.ts compiled: the generated types are not exact"; exit 1; }
want=$(grep -n 'WRONG-' wrong/wrong.ts | cut -d: -f1 | while read -r n; do echo $((n + 1)); done | sort -n | tr '\n' ' ')
got=$(printf '%s\n' "$out" | sed -n 's/^wrong\/wrong\.ts(\([0-9]*\),.*/\1/p' | sort -nu | tr '\n' ' ')
if [ "$want" != "$got" ]; then
    echo "tsc errors on wrong/wrong.ts at lines [$got], want [$want]:"; printf '%s\n' "$out"; exit 1
fi
echo "wrong/wrong.ts refused as expected (lines $want)"
