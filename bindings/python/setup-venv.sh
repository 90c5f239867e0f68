#!/usr/bin/env bash
# Creates (or reuses) a virtualenv and installs the `ossbridge` binding into it.
# Usage: source bindings/python/setup-venv.sh dev|release [EXTRA_REQUIREMENTS_FILE]
# The venv is .venv-python at the repo root unless OSSBRIDGE_PYTHON_VENV names another; it is
# rebuilt when the pinned requirements change. Sets VIRTUAL_ENV and PATH.
_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_root=$(cd "$_here/../.." && pwd)
_profile=${1:?usage: source setup-venv.sh dev|release [extra-requirements.txt]}
_extra=${2:-}
_venv=${OSSBRIDGE_PYTHON_VENV:-$_root/.venv-python}
_want=$(cat "$_here/requirements.txt" ${_extra:+"$_extra"} | sha256sum | cut -d' ' -f1)
if [ ! -x "$_venv/bin/python" ] || [ "$(cat "$_venv/.requirements.sha256" 2>/dev/null)" != "$_want" ]; then
  rm -rf "$_venv"
  "${PYTHON:-python3}" -m venv "$_venv"
  "$_venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$_here/requirements.txt" ${_extra:+-r "$_extra"}
  echo "$_want" >"$_venv/.requirements.sha256"
fi
export VIRTUAL_ENV=$_venv PATH="$_venv/bin:$PATH"
if [ "$_profile" = release ]; then
  # Benchmarks: an optimised wheel, installed as a copy (an editable install would put the
  # release .so into the source tree, under the tests' dev build).
  _wheels="$_root/target/python-wheels"
  rm -rf "$_wheels"
  (cd "$_here" && maturin build --quiet --locked --release --out "$_wheels")
  python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$_wheels"/ossbridge-*.whl
else
  # Tests and examples: editable dev build (shares artefacts with cargo test).
  (cd "$_here" && maturin develop --quiet --locked)
fi
python -c 'import ossbridge._ossbridge' # fail here, clearly, if the build did not install
