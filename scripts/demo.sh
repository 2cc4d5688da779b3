#!/bin/sh
# Installs what is missing, builds Kanal, and runs its main job on a fresh
# database. For now: checks the sample workflows and prints them.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
kanal=build/kanal

echo
echo "== Checking the sample workflows"
$kanal workflow check --print workflows/*.yaml
