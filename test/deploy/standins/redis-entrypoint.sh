#!/bin/sh
# The stand-in's entrypoint, after the real redis image's: flags alone mean
# redis-server; without a config file protected mode is off (the port is the
# container's, published by compose); the server runs as redis.
set -eu
if [ "${1#-}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
  shift
  case "${1:-}" in
    *.conf) ;;
    *) set -- --protected-mode no "$@" ;;
  esac
  exec setpriv --reuid=redis --regid=redis --init-groups redis-server "$@"
fi
exec "$@"
