#!/usr/bin/env bash
# Debian packages the project needs beyond Python: a Traditional Chinese font for the charts and
# Chromium for the browser tests (Playwright drives Debian's Chromium; it never downloads one).
# Installs what is missing when it can (root with apt-get); otherwise says what to install.
# The font is required (exit 1 without it); Chromium is optional (browser tests skip).
set -u

has_font() {
  # fonts-noto-cjk does not pull in fontconfig, so look for the file when fc-list is absent
  if command -v fc-list >/dev/null 2>&1; then
    fc-list 2>/dev/null | grep -q "Noto Sans CJK TC" && return 0
  fi
  find /usr/share/fonts /usr/local/share/fonts -name 'NotoSansCJK*' -print -quit 2>/dev/null | grep -q .
}

install() {  # install PACKAGE... with apt-get when we are root; 1 if that is not possible
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing $*: install with 'sudo apt-get install $*'." >&2
    return 1
  fi
  echo "Installing $* from Debian's packages ..."
  export DEBIAN_FRONTEND=noninteractive
  # another apt run (unattended upgrades, a second checkout) may hold the lock: wait for it
  if [ -z "${_APT_UPDATED:-}" ]; then
    apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null && _APT_UPDATED=1
  fi
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@" >/dev/null \
    || { echo "apt-get could not install $*." >&2; return 1; }
}

has_font || install fonts-noto-cjk
if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null 2>&1; then
  install chromium || echo "Browser tests will be skipped." >&2
fi
# PSPP (GNU's SPSS) reads the .sav exports back in the tests, as an analyst's SPSS would
command -v pspp >/dev/null 2>&1 || install pspp || echo "The PSPP test of the .sav export will be skipped." >&2
has_font || { echo "No Traditional Chinese font (Noto Sans CJK TC): charts cannot be drawn." >&2; exit 1; }
exit 0
