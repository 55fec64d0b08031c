"""The MongoDB stand-in of `make compose-check`: SecantusDB (the embedded wire server from PyPI),
not MongoDB, because MongoDB's official image cannot be had on our machines.

It does what deploy/mongo/entrypoint.sh and init.js do for mongod, as far as SecantusDB can: a user
per service database, allowed to read and write that database only, with its password from the
compose secret (a placeholder or a short one refused), then it serves with SCRAM authentication
required. Users are made on a private port before the real one opens, since SecantusDB takes
createUser only while authentication is off. What it cannot stand in for: mongod's key file, the
replica set `rs0` (SecantusDB advertises a one-node set named `secantus`: MONGO_REPLICA_SET) and
mongodump/mongorestore (the drill uses `nghedan backup`/`restore` through the `root` user made here).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

SERVICES = ("registration", "intake", "notification", "reporting", "office")
DATA = os.environ.get("STANDIN_DATA", "/data/db")
SECRETS = Path("/run/secrets")


def secret(name: str) -> str:
    value = (SECRETS / name).read_text(encoding="utf-8").strip()
    if len(value) < 16 or re.search(r"change[-_]?me", value, re.I):
        sys.exit(f"{name}: a placeholder or shorter than 16 characters (nghedan deploy-secrets)")
    return value


def serve(host: str, port: int, *extra: str) -> list[str]:
    return [
        "secantusd-py",
        "--host",
        host,
        "--port",
        str(port),
        "--storage-path",
        DATA,
        "--log-level",
        "WARNING",
        *extra,
    ]


def wait(url: str, process: subprocess.Popen[bytes]) -> MongoClient:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("SecantusDB stopped while starting")
        try:
            client: MongoClient = MongoClient(url, serverSelectionTimeoutMS=500)
            client.admin.command("ping")
            return client
        except PyMongoError:
            time.sleep(0.3)
    sys.exit("SecantusDB not ready after 60 s")


def provision() -> None:
    process = subprocess.Popen(serve("127.0.0.1", 27099))
    try:
        client = wait("mongodb://127.0.0.1:27099/?directConnection=true", process)
        users = {"admin": ("root", secret("mongo_root_password"), "root")}
        for service in SERVICES:
            users[f"nghedan_{service}"] = (
                service,
                secret(f"mongo_{service}_password"),
                "readWrite",
            )
        for name, (user, password, role) in users.items():
            db = client[name]
            try:
                db.command("updateUser", user, pwd=password)
            except OperationFailure:
                db.command("createUser", user, pwd=password, roles=[{"role": role, "db": name}])
            print(f"user {user} on {name}: ready", flush=True)
        client.close()
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    os.makedirs(DATA, exist_ok=True)
    provision()
    # Bound to the container's own address, which is what its `hello` then advertises to the
    # services' drivers (bound to 0.0.0.0 it would advertise an address no one can reach).
    address = socket.gethostbyname(socket.gethostname())
    print(f"SecantusDB (stand-in for MongoDB) on {address}:27017, authentication on", flush=True)
    os.execvp("secantusd-py", serve(address, 27017, "--auth"))


if __name__ == "__main__":
    main()
