#!/bin/sh
# A sentinel of docker-compose.yaml's `ha` profile (sentinel-1, -2, -3): it
# watches the master the other sentinels know (after a failover), else
# redis-node-1, and promotes the replica when the master is gone for 5 s
# (a quorum of 2 of the 3 sentinels). Everything is addressed by name
# (resolve-hostnames, announce-hostnames), so the apps are told
# `redis-node-2`, not an address. Sentinel rewrites its config file as it
# learns the group, hence a file in /data rather than a read-only mount.
set -eu
self="$(hostname)"
master=""
for sentinel in sentinel-1 sentinel-2 sentinel-3; do
  [ "$sentinel" = "$self" ] && continue
  master="$(timeout 3 redis-cli -h "$sentinel" -p 26379 \
    sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1)" || true
  [ -n "$master" ] && break
done
[ -z "$master" ] && master=redis-node-1
cat > /data/sentinel.conf <<CONF
port 26379
protected-mode no
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $self
sentinel monitor mymaster $master 6379 2
sentinel auth-pass mymaster $REDIS_PASSWORD
sentinel down-after-milliseconds mymaster 5000
sentinel failover-timeout mymaster 60000
sentinel parallel-syncs mymaster 1
CONF
if [ "$(id -u)" = 0 ]; then
  chown redis:redis /data/sentinel.conf
fi
# The image's entrypoint runs redis-server as the redis user.
exec docker-entrypoint.sh redis-server /data/sentinel.conf --sentinel
