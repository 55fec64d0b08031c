# `make compose-check`'s own helpers, never part of a deployment: the MongoDB stand-in (SecantusDB,
# the embedded wire server from PyPI; not MongoDB) and a test mail server (aiosmtpd) that keeps
# what it receives in a Maildir.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
ENV PATH=/opt/tools/bin:$PATH PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN set -eu; apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null; \
    rm -rf /var/lib/apt/lists/*; python3 -m venv /opt/tools
RUN --mount=type=secret,id=pip_ca,required=false \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi; \
    pip install -q "secantusdb>=0.7.0b3" "aiosmtpd>=1.4.6" "pymongo>=4.9"
COPY tests/compose/images/mongo_standin.py /opt/tools/mongo_standin.py
