#!/usr/bin/env bash
# The benchmark command: installs what it needs, builds the release binary,
# runs every measurement in one run and writes BENCHMARKS.md.
#   scripts/bench.sh            # 1/10/100 issues (about 10-20 min on 2 cores)
#   scripts/bench.sh --quick    # 1/10/20 issues (a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
need=()
[ -x /usr/bin/time ] || need+=(time)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
python3 -c "import reportlab" 2>/dev/null || python3 -m pip install -q reportlab
cargo build --release --locked
python3 bench/run.py "$@"
python3 bench/ocr.py            # appends the OCR section (seconds per scanned page)
