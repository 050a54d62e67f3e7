#!/usr/bin/env bash
# Builds what goes onto a ward laptop: dist/windows/sinhke.exe (64-bit, Windows 10 or
# later) and HUONG-DAN.txt, the short guide in Vietnamese, in UTF-8 with a byte-order
# mark and Windows line endings so that Notepad shows every letter.
# Needs: rustup target add x86_64-pc-windows-gnu, and Debian's gcc-mingw-w64-x86-64.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release --target x86_64-pc-windows-gnu --bin sinhke
out=dist/windows
mkdir -p "$out"
cp target/x86_64-pc-windows-gnu/release/sinhke.exe "$out/sinhke.exe"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' docs/HUONG-DAN.txt; } > "$out/HUONG-DAN.txt"
ls -l "$out"
