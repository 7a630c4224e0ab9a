#!/bin/sh
# A Redis node of docker-compose.yaml's `ha` profile (redis-node-1, -2). It
# asks the sentinels who the master is; with no answer (the first start)
# redis-node-1 is the master and redis-node-2 its replica, so a node that
# comes back after a failover rejoins as a replica of the new master. Nodes
# are announced by their names (replica-announce-ip), which the sentinels
# resolve and hand to the apps. REDIS_PASSWORD: requirepass and masterauth.
set -eu
self="$(hostname)"
master=""
for sentinel in sentinel-1 sentinel-2 sentinel-3; do
  master="$(timeout 3 redis-cli -h "$sentinel" -p 26379 \
    sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1)" || true
  [ -n "$master" ] && break
done
[ -z "$master" ] && master=redis-node-1
set -- --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD" \
  --replica-announce-ip "$self" --appendonly yes --dir /data
if [ "$master" != "$self" ]; then
  set -- "$@" --replicaof "$master" 6379
fi
# The image's entrypoint runs redis-server as the redis user.
exec docker-entrypoint.sh redis-server "$@"
