#!/usr/bin/env bash
# The main job on the sample corpus: build, ingest corpus/ into ./index, search.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked
bin=target/release/gongbao
"$bin" ingest corpus/
"$bin" search 社区食堂 --limit 3
"$bin" search 调节金 --limit 3
