#!/bin/sh
# Checks the pages: every file index.html links exists, and no script logs to the console.
set -eu
cd "$(dirname "$0")/../static"
status=0
for ref in $(sed -n 's/.*\(src\|href\)="\([^"]*\)".*/\2/p' index.html); do
  if [ ! -f "$ref" ]; then
    echo "FAIL: index.html links $ref, which does not exist"
    status=1
  fi
done
if grep -n "console\.log" ./*.js; then
  echo "FAIL: console.log left in a script"
  status=1
fi
[ "$status" -eq 0 ] && echo "OK: pages checked"
exit "$status"
