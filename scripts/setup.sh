#!/usr/bin/env bash
# Set up a fresh machine: system packages the tests and the PDF/chart export need (Debian's
# chromium and poppler-utils), a virtual environment, and the project with its dev extra.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need ${need_apt[*]} from Debian's packages but am not root and have no sudo" >&2
    exit 1
  fi
  echo "setup: installing ${need_apt[*]} from Debian's packages"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

# GOV.UK Frontend for the survey site (pipeline/collect/site/): its compiled CSS, fonts and images
# are served by the site itself, never from another host. Installed into a gitignored folder;
# without npm the site still works with its plain fallback stylesheet.
site_vendor=pipeline/collect/site/vendor
if [ -f "$site_vendor/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css" ]; then
  :
elif command -v npm >/dev/null 2>&1; then
  echo "setup: installing govuk-frontend for the survey site (npm)"
  mkdir -p "$site_vendor"
  npm install --prefix "$site_vendor" --no-audit --no-fund --silent --no-save govuk-frontend@6 >/dev/null
else
  echo "setup: npm not found, so GOV.UK Frontend is not installed; the survey site will use its plain fallback stylesheet (install Node.js and npm, then run this again)" >&2
fi
