#!/usr/bin/env bash
# Creates the demo content served under the "demo" file root: a sample application log with
# mixed levels (for grep/regex stages), and a CSV and an NDJSON file for import jobs.
# Usage: scripts/demo-files.sh DIR   (idempotent; keeps existing files)
set -euo pipefail
dir=${1:?usage: scripts/demo-files.sh DIR}
mkdir -p "$dir"
# The small samples shipped with the service (sample.log and its .gz twin).
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for sample in "$repo"/src/StreamService/demo-files/*; do
  [ -e "$dir/$(basename "$sample")" ] || cp "$sample" "$dir/"
done
if [ ! -s "$dir/app.log" ]; then
  awk 'BEGIN {
    split("INFO INFO INFO WARN ERROR DEBUG", levels, " ");
    split("orders payments users inventory shipping", areas, " ");
    for (i = 1; i <= 200000; i++) {
      printf "2026-11-21T%02d:%02d:%02d.%03dZ %-5s %s request %d took %d ms\n",
        int(i / 3600) % 24, int(i / 60) % 60, i % 60, i % 1000,
        levels[(i * 7) % 6 + 1], areas[(i * 3) % 5 + 1], i, (i * 37) % 900 + 5
    }
  }' > "$dir/app.log"
fi
if [ ! -s "$dir/people.csv" ]; then
  awk 'BEGIN {
    print "id,name,email,age,joined";
    for (i = 1; i <= 100000; i++)
      printf "%d,Person %d,person%d@example.com,%d,2020-%02d-%02d\n", i, i, i, 18 + i % 60, i % 12 + 1, i % 28 + 1
  }' > "$dir/people.csv"
fi
if [ ! -s "$dir/people.ndjson" ]; then
  awk 'BEGIN {
    for (i = 1; i <= 100000; i++)
      printf "{\"id\":%d,\"name\":\"Person %d\",\"email\":\"person%d@example.com\",\"age\":%d,\"joined\":\"2020-%02d-%02d\"}\n", i, i, i, 18 + i % 60, i % 12 + 1, i % 28 + 1
  }' > "$dir/people.ndjson"
fi
echo "demo files in $dir"
