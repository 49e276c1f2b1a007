#!/usr/bin/env bash
# Debian packages the project needs beyond Python: a Traditional Chinese font for the charts and
# Chromium for the browser tests (Playwright drives Debian's Chromium; it never downloads one).
# Installs what is missing when it can (root with apt-get); otherwise says what to install.
set -u
need=()
fc-list 2>/dev/null | grep -q "Noto Sans CJK TC" || need+=(fonts-noto-cjk)
if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} from Debian's packages ..."
  export DEBIAN_FRONTEND=noninteractive
  # another apt run (unattended upgrades, a second checkout) may hold the lock: wait for it
  apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null \
    && apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${need[@]}" >/dev/null \
    && exit 0
  echo "apt-get could not install ${need[*]}." >&2
else
  echo "Missing ${need[*]}: install with 'sudo apt-get install ${need[*]}'." >&2
fi
# Chromium is optional (browser tests skip with a reason); the font is not.
fc-list 2>/dev/null | grep -q "Noto Sans CJK TC" || exit 1
exit 0
