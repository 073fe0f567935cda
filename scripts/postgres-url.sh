#!/bin/sh
# Prints the PostgreSQL URL the test suite should use, or fails when none is reachable:
# $DATABASE_URL when set, else the local server on 127.0.0.1:5432.
url="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
case "$url" in postgres*) ;; *) exit 1 ;; esac
if command -v pg_isready >/dev/null 2>&1; then
  pg_isready -q -d "$url" -t 3 || exit 1
else
  python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',5432),3)" 2>/dev/null || exit 1
fi
echo "$url"
