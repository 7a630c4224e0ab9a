#!/bin/sh
# The stand-in's entrypoint: what the real rabbitmq image does with the env the
# compose file sets (default user, password and vhost; guest allowed from other
# containers; logs on stdout), then the broker as the rabbitmq user, in the
# foreground, so `docker stop` reaches it.
set -eu
if [ "${1:-}" != rabbitmq-server ]; then
  exec "$@"
fi
conf=/etc/rabbitmq/rabbitmq.conf
{
  echo 'loopback_users.guest = false'
  echo 'listeners.tcp.default = 5672'
  echo 'management.tcp.port = 15672'
  echo 'log.console = true'
  echo 'log.file = false'
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    echo "default_user = ${RABBITMQ_DEFAULT_USER}"
  fi
  if [ -n "${RABBITMQ_DEFAULT_PASS:-}" ]; then
    echo "default_pass = ${RABBITMQ_DEFAULT_PASS}"
  fi
  if [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ]; then
    echo "default_vhost = ${RABBITMQ_DEFAULT_VHOST}"
  fi
} > "$conf"
# A bind-mounted data dir arrives owned by whoever made it.
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
export HOME=/var/lib/rabbitmq
exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
  /usr/lib/rabbitmq/bin/rabbitmq-server
