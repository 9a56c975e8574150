#!/usr/bin/env bash
# Installs the Debian packages Hawiya needs, when it can (root or sudo); otherwise prints the exact
# command to run and stops. Idempotent: packages already present are left alone.
set -euo pipefail

# package -> how to tell it is already there
installed() { echo "dpkg-query -W -f='\${Status}' $1 2>/dev/null | grep -q 'install ok installed'"; }
declare -A NEEDED=(
  [python3-venv]="python3 -c 'import ensurepip, venv'"
  # Arabic text shaping, and the fonts the synthetic ID cards are drawn with (docs/identity.md)
  [libfribidi0]="$(installed libfribidi0)"
  [fonts-noto-core]="$(installed fonts-noto-core)"
  [fonts-hosny-amiri]="$(installed fonts-hosny-amiri)"
  [fonts-kacst]="$(installed fonts-kacst)"
  # Contract PDFs (WeasyPrint): Pango for layout and shaping, HarfBuzz's subsetter for the fonts
  [libpango-1.0-0]="$(installed libpango-1.0-0)"
  [libpangoft2-1.0-0]="$(installed libpangoft2-1.0-0)"
  [libharfbuzz-subset0]="$(installed libharfbuzz-subset0)"
  # a PKCS#11 token for the contract-signing tests (SoftHSM; production uses the tenant's HSM)
  [softhsm2]="$(installed softhsm2)"
  # OCR of the Arabic text fields
  [tesseract-ocr]="$(installed tesseract-ocr)"
  [tesseract-ocr-ara]="$(installed tesseract-ocr-ara)"
  [tesseract-ocr-script-arab]="$(installed tesseract-ocr-script-arab)"
  [python3-dev]="python3 -c 'import sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()[\"include\"], \"Python.h\")) else 1)'"
)

missing=()
for pkg in "${!NEEDED[@]}"; do
  if ! bash -c "${NEEDED[$pkg]}" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Hawiya needs: ${missing[*]} (Debian package names); install their equivalents and re-run." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "Hawiya needs Debian packages that are not installed. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
