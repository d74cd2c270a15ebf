#!/usr/bin/env bash
# Install the system packages gongbao needs on Debian, if they are missing:
#   poppler-utils + poppler-data  the pdftotext fallback extractor (with the Adobe-GB1 CMaps)
# Run as root or with sudo available. Safe to run again.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
dpkg -s poppler-data >/dev/null 2>&1 || need+=(poppler-data)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
