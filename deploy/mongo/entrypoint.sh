#!/bin/bash
# Writes the replica set's key file from its compose secret, then starts mongod as the image does.
set -euo pipefail
install -m 400 -o 999 -g 999 /run/secrets/mongo_keyfile /data/keyfile
exec docker-entrypoint.sh mongod --replSet rs0 --bind_ip_all --keyFile /data/keyfile
