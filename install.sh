#!/usr/bin/env bash
# Install ds-login into a virtual environment of its own.
#
#   ./install.sh          for users: ~/.local/share/ds-login/venv, with the
#                         command linked as ~/.local/bin/ds-login
#   ./install.sh --dev    for developers: .venv in this folder with the test
#                         tools, plus the system packages the tests start
#                         (D-Bus, gnome-keyring, zsh, fish), installed with
#                         apt-get when run as root
#
# Versions come from constraints.txt, so pip never has to backtrack between
# boto3 and the narrow botocore range that aiobotocore (under dvc-s3) pins.
# Set PYTHON to choose the interpreter (3.10 or newer; default python3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
mode=user
case "${1:-}" in
  "") ;;
  --dev) mode=dev ;;
  -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
  *) echo "install.sh: unknown option '$1'; use --dev or nothing" >&2; exit 2 ;;
esac

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "install.sh: $python is missing or older than 3.10; set PYTHON=/path/to/python3.10+" >&2
  exit 1
fi

system_packages="dbus dbus-x11 gnome-keyring libsecret-tools keyutils git zsh fish time"
install_system_packages() {
  missing=""
  for package in $system_packages; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install.sh: installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "install.sh: the keyring and shell tests need:$missing (install them with your package manager)" >&2
  fi
}

if [ "$mode" = dev ]; then
  command -v dpkg >/dev/null && install_system_packages
  venv="$here/.venv"
  extras="demo,test"
  editable=(-e)
else
  venv="${XDG_DATA_HOME:-$HOME/.local/share}/ds-login/venv"
  extras="demo"
  editable=()
fi

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=23"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c "$here/constraints.txt" "${editable[@]}" "$here[$extras]"

if [ "$mode" = dev ]; then
  echo "install.sh: developer environment ready in $venv; run the tests with: .venv/bin/python -m pytest"
  exit 0
fi

bin_dir="$HOME/.local/bin"
mkdir -p "$bin_dir"
ln -sf "$venv/bin/ds-login" "$bin_dir/ds-login"
echo "install.sh: installed $("$venv/bin/ds-login" --version) as $bin_dir/ds-login"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "install.sh: add $bin_dir to PATH, e.g. echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.bashrc" ;;
esac
