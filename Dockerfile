# One image for the worker and the scheduler (and, built with EXTRAS=sandbox, the dev sandbox).
#
#   docker build -t ace-connector .                          # production: no sandbox, no dev tools
#   docker build -t ace-connector:sandbox --build-arg EXTRAS=sandbox .
FROM python:3.11-slim

# Optional extras of the package: empty for production, "sandbox" for docker-compose's dev profile.
ARG EXTRAS=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LOG_FORMAT=json \
    ACE_MAPPINGS_DIR=/app/mappings

WORKDIR /app

# The package first, so editing the mappings does not reinstall the dependencies.
COPY pyproject.toml README.md ./
COPY connector ./connector
RUN pip install ".${EXTRAS:+[${EXTRAS}]}"

# The default mappings (mount your own over /app/mappings) and the sfdx source of the
# custom fields (read by the org emulator of the dev sandbox).
COPY mappings ./mappings
COPY salesforce ./salesforce

# Never run as root. /sandbox is where the dev sandbox shares its settings and certificate.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin connector \
    && mkdir -p /sandbox \
    && chown connector:connector /sandbox
USER connector

# dramatiq's Prometheus endpoint (all worker processes' metrics on one port).
EXPOSE 9191

ENTRYPOINT ["ace-connector"]
CMD ["worker"]
