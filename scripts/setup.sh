#!/usr/bin/env bash
# Install the system packages gongbao needs on Debian, if they are missing:
#   poppler-utils + poppler-data  the pdftotext fallback extractor (with the Adobe-GB1 CMaps)
#                                 and pdftoppm, which renders scanned pages for OCR
#   tesseract-ocr + -chi-sim      OCR of pages without a text layer (ingest --ocr auto)
#   chromium + chromium-driver    the browser test of the web pages (tests/browser.rs)
#   fonts-wqy-microhei            a Chinese font for the browser's screenshots and bench/ PDFs
# Run as root or with sudo available. Safe to run again.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
dpkg -s poppler-data >/dev/null 2>&1 || need+=(poppler-data)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
dpkg -s tesseract-ocr-chi-sim >/dev/null 2>&1 || need+=(tesseract-ocr-chi-sim)
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
