#!/usr/bin/env bash
# The test command (`npm test`): installs what the tests need when missing,
# builds, runs every test and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash test/install-tools.sh || { echo "could not install the test tools"; exit 1; }
if [ ! -d node_modules ]; then npm ci || exit 1; fi
npm run build || { echo "0 passed, 1 failed"; exit 1; }
files=$(find dist/test -name '*.test.js' | sort)
# Per-file timeout: end-to-end files drive real initiators and need minutes.
npx tap --disable-coverage --reporter=tap --timeout=600 --jobs=2 $files 2>&1 \
  | node dist/test/TapSummary.js
