#!/usr/bin/env bash
# Build the one-folder app bundle on Linux or macOS: dist/qwen-studio/ (and, on macOS,
# "dist/Qwen Studio.app"). See packaging/README.md.
#
#   bash packaging/build.sh                # build, then smoke-test the bundle
#   QWEN_STUDIO_BUILD_VENV=/tmp/pyi-venv bash packaging/build.sh   # reuse a build venv
#
# Environment: PYTHON (interpreter for the venv, default python3), QWEN_STUDIO_BUILD_VENV
# (default build/pyi-venv), QWEN_STUDIO_DIST (output folder, default dist),
# QWEN_STUDIO_SKIP_SMOKE=1 (don't run the bundle afterwards).
#
# The build venv is separate from .venv so PyInstaller never lands in the dev environment.
# The project is installed into it non-editable: the bundle then holds what a wheel holds.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${QWEN_STUDIO_BUILD_VENV:-build/pyi-venv}
DIST=${QWEN_STUDIO_DIST:-dist}
APP_ID=io.github.qwenstudio.QwenStudio
mkdir -p "$DIST" build
DIST=$(cd "$DIST" && pwd)

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
VENV=$(cd "$VENV" && pwd)
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r packaging/requirements.txt
# Dependencies first, then the project again with --force-reinstall: the source changes
# between builds while the version does not, and pip would keep the stale copy.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check .
# Compile the translations with the build venv's PySide6 (pip's isolated build env has no
# lrelease), so the installed package and the bundle carry the .qm files.
"$VENV/bin/python" -m qwen_studio.i18n release
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps .

start=$(date +%s)
# Run from a neutral folder: with the repo as the working directory, `import qwen_studio`
# would pick up the source tree instead of the installed package.
(cd build
 "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
   --distpath "$DIST" --workpath pyinstaller ../packaging/qwen-studio.spec) 2>&1
echo "PyInstaller took $(( $(date +%s) - start )) s"

BUNDLE=$DIST/qwen-studio
if [ "$(uname -s)" = Linux ]; then
  # Desktop integration files beside the program, laid out like /usr/share, so installing
  # is a copy (see packaging/README.md).
  share=$BUNDLE/share
  rm -rf "$share"
  install -Dm644 "resources/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
  install -Dm644 "resources/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
  install -Dm644 qwen_studio/resources_data/qwen-studio.svg \
    "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
  for size in 16 32 48 64 128 256 512; do
    install -Dm644 "qwen_studio/resources_data/icons/qwen-studio-$size.png" \
      "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
  done
fi

echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
if [ "${QWEN_STUDIO_SKIP_SMOKE:-0}" != 1 ]; then
  if [ "$(uname -s)" = Darwin ]; then exe="$DIST/Qwen Studio.app/Contents/MacOS/qwen-studio"
  else exe=$BUNDLE/qwen-studio; fi
  "$exe" --version
  QT_QPA_PLATFORM=offscreen "$exe" --self-test
fi
