#!/usr/bin/env bash
# Install the system packages gongbao needs on Debian, if they are missing:
#   poppler-utils + poppler-data  the pdftotext fallback extractor (with the Adobe-GB1 CMaps)
#                                 and pdftoppm, which renders scanned pages for OCR
#   tesseract-ocr + -chi-sim      OCR of pages without a text layer (ingest --ocr auto)
#   chromium + chromium-driver    the browser test of the web pages (tests/browser.rs)
#   fonts-wqy-microhei            a Chinese font for the browser's screenshots and bench/ PDFs
# and, from PyPI, pinned and without their Python dependencies (only their files are used):
#   onnxruntime                   its shared library, which gongbao loads to run PP-OCR
#   rapidocr-onnxruntime          the PP-OCRv4 models (detection, direction, recognition)
# into /usr/local/lib/gongbao/ppocr (GONGBAO_PPOCR_DIR). Without them OCR falls back to Tesseract.
# Run as root or with sudo available. Safe to run again.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
dpkg -s poppler-data >/dev/null 2>&1 || need+=(poppler-data)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
dpkg -s tesseract-ocr-chi-sim >/dev/null 2>&1 || need+=(tesseract-ocr-chi-sim)
command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ "${GONGBAO_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
fi
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# PP-OCR (see above).
PPOCR_DIR="${GONGBAO_PPOCR_DIR:-/usr/local/lib/gongbao/ppocr}"
ORT_VERSION=1.31.1
RAPIDOCR_VERSION=1.4.4
if [ ! -f "$PPOCR_DIR/onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" ] ||
  [ ! -d "$PPOCR_DIR/rapidocr_onnxruntime-$RAPIDOCR_VERSION.dist-info" ]; then
  echo "setup: installing PP-OCR (onnxruntime $ORT_VERSION, rapidocr-onnxruntime $RAPIDOCR_VERSION) into $PPOCR_DIR" >&2
  pkgs=("onnxruntime==$ORT_VERSION" "rapidocr-onnxruntime==$RAPIDOCR_VERSION")
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO rm -rf "$PPOCR_DIR"
  if ! $SUDO python3 -m pip install --quiet --no-deps --upgrade --target "$PPOCR_DIR" "${pkgs[@]}" 2>/dev/null &&
    ! $SUDO python3 -m pip install --quiet --no-deps --upgrade --break-system-packages --target "$PPOCR_DIR" "${pkgs[@]}"; then
    echo "setup: PP-OCR could not be installed: OCR will use Tesseract" >&2
  fi
fi
