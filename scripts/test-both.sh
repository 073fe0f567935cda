#!/bin/sh
# The whole suite on SQLite, then on PostgreSQL when one is reachable, whatever the first pass
# did; prints both outcomes and fails when either failed. Usage: test-both.sh PYTHON [pytest args]
python="$1"; shift
"$python" -m pytest -p no:cacheprovider "$@"
sqlite=$?
if url="$(sh scripts/postgres-url.sh 2>/dev/null)"; then
  DATABASE_URL="$url" "$python" -m pytest -p no:cacheprovider "$@"
  postgres=$?
else
  postgres=unreachable
fi
outcome() { case "$1" in 0) echo passed ;; unreachable) echo "not run (no PostgreSQL reachable)" ;; *) echo "FAILED (pytest exit $1)" ;; esac; }
echo "make test: SQLite pass $(outcome $sqlite); PostgreSQL pass $(outcome $postgres)."
[ "$sqlite" = 0 ] && { [ "$postgres" = 0 ] || [ "$postgres" = unreachable ]; }
