#!/bin/bash
# Writes the replica set's key file from the environment, then starts mongod as the image does.
set -euo pipefail
printf '%s' "${MONGO_KEYFILE_CONTENT:?set MONGO_KEYFILE_CONTENT in deploy/.env}" > /data/keyfile
chmod 400 /data/keyfile
chown 999:999 /data/keyfile
exec docker-entrypoint.sh mongod --replSet rs0 --bind_ip_all --keyFile /data/keyfile
