#!/usr/bin/env bash
# Regenerate the layout fixtures: tests/fixtures/two-column, webprint, watermark.
#
#   tools/make_layout_fixtures.sh [two-column|webprint|watermark ...]   (default: all)
#
# Needs: python3 with reportlab and fontTools; poppler-utils (pdftotext, pdfinfo);
# qpdf; fonts-arphic-uming, fonts-wqy-microhei, fonts-noto-cjk;
# libreoffice-writer-nogui (soffice); chromium.  Every step is deterministic:
# the same inputs, options and seeds give the same layout; the ReportLab PDFs
# are byte-identical on a rerun (same tool and font versions), the LibreOffice
# and Chromium PDFs differ only in timestamps/IDs.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=tests/fixtures/yuxian-2024-03.seed.txt        # = shared/seed/yuxian-2024-03.txt
UMING=/usr/share/fonts/truetype/arphic/uming.ttc
WQY=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SERIF_BOLD=/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc   # face 2 = SC

what=("$@")
[ ${#what[@]} -eq 0 ] && what=(two-column webprint watermark)

for w in "${what[@]}"; do
case "$w" in
two-column)
  D=tests/fixtures/two-column
  mkdir -p "$D"
  python3 tools/seed_docs.py "$SEED" "$D/gazette-2col.txt" --cover --toc \
    --doc 孟政发〔2024〕74号 --doc 孟政发〔2024〕75号 --doc 孟政函〔2024〕45号 \
    --doc 孟政办发〔2024〕47号 --doc 孟政办发〔2024〕48号 --doc 孟政办发〔2024〕50号
  python3 tools/make_two_column_pdf.py "$D/gazette-2col.txt" "$D/gazette-2col.pdf" \
    --gazette-name 孟县人民政府公报 --issue ２０２４·３ \
    --page-size 16k --margins 54,48,30,30 --gutter 2em \
    --font "$UMING" --font-index 0 \
    --title-font "$SERIF_BOLD" --title-font-index 2 \
    --heading-font "$WQY" --heading-font-index 0 \
    --font-size 10.5 --title-size 16 --leading 1.85 --justify \
    --new-doc continue --seed 0 --fix-toc-pages \
    --truth-json "$D/gazette-2col.pages.json" \
    --fodt "$D/gazette-2col-lo.fodt" \
    --fodt-body-family "Noto Serif CJK SC" --fodt-title-family "Noto Serif CJK SC" \
    --fodt-heading-family "Noto Sans CJK SC"
  tmp=$(mktemp -d)
  soffice --headless -env:UserInstallation=file://$tmp/profile \
    --convert-to pdf --outdir "$tmp" "$D/gazette-2col-lo.fodt" >/dev/null 2>&1
  mv "$tmp/gazette-2col-lo.pdf" "$D/gazette-2col-lo.pdf"
  rm -rf "$tmp"
  python3 tools/two_column_expected.py --truth tests/fixtures/yuxian-2024-03.json \
    --text "$D/gazette-2col.txt" --rl "$D/gazette-2col.pdf" \
    --lo "$D/gazette-2col-lo.pdf" --out "$D/expected.json"
  ;;
webprint)
  D=tests/fixtures/webprint
  mkdir -p "$D"
  python3 tools/make_webprint_html.py --out-dir "$D"
  for v in webprint webprint-radicals; do
    tmp=$(mktemp -d)
    chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp" \
      --print-to-pdf="$D/$v.pdf" --no-pdf-header-footer "$D/$v.html" >/dev/null 2>&1
    rm -rf "$tmp"
  done
  python3 tools/make_webprint_html.py --check "$D"
  ;;
watermark)
  D=tests/fixtures/watermark
  mkdir -p "$D"
  python3 tools/seed_docs.py "$SEED" "$D/watermark.txt" --doc 孟政发〔2024〕74号
  python3 tools/make_watermark_pdf.py "$D/watermark.txt" "$D/watermark.pdf" \
    --font "$UMING" --title-font "$WQY" --font-size 14 \
    --watermark "Download From: www.bzfxw.com 标准下载网" --watermark-at top \
    --truth-json "$D/watermark.pages.json"
  # pages 1-2 of the same file (qpdf keeps the shared font objects once)
  qpdf --deterministic-id "$D/watermark.pdf" --pages . 1-2 -- "$D/watermark-2p.pdf"
  python3 tools/make_watermark_pdf.py --expected "$D/expected.json" \
    --truth tests/fixtures/yuxian-2024-03.json --doc 孟政发〔2024〕74号 \
    --pages-json "$D/watermark.pages.json" --short-pages 2 \
    --watermark "Download From: www.bzfxw.com 标准下载网"
  ;;
*) echo "unknown fixture set: $w" >&2; exit 2;;
esac
done
