# One image for every Scale Out role: migrate, master, worker (the command picks the role).
#   docker build -t scaleout .
#   docker run --rm scaleout --version
# Three stages: production dependencies; the compiled JavaScript (built with the development ones);
# the image itself — dist/, production node_modules, the SQL and the example project, no sources,
# no compiler, run as the unprivileged user scaleout under tini (signals forwarded, zombies reaped).

FROM node:20-bookworm-slim AS dependencies
WORKDIR /opt/scaleout
COPY package.json npm-shrinkwrap.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS build
WORKDIR /opt/scaleout
COPY package.json npm-shrinkwrap.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.js ./scripts/build.js
COPY src ./src
RUN node scripts/build.js

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system scaleout \
 && useradd --system --gid scaleout --home-dir /var/lib/scaleout --no-create-home --shell /usr/sbin/nologin scaleout \
 && mkdir -p /var/lib/scaleout/certs /var/lib/scaleout/worker /var/lib/scaleout/keys /var/log/scaleout \
 && chown -R scaleout:scaleout /var/lib/scaleout /var/log/scaleout
WORKDIR /opt/scaleout
COPY --from=dependencies /opt/scaleout/node_modules ./node_modules
COPY --from=build /opt/scaleout/dist ./dist
COPY package.json README.md CHANGELOG.md ./
COPY bin ./bin
COPY sql ./sql
COPY migrations ./migrations
COPY examples ./examples
COPY docker ./docker
# State (worker id, project cache, the master's key folder) under /var/lib/scaleout/<service>.
ENV NODE_ENV=production XDG_STATE_HOME=/var/lib
USER scaleout
EXPOSE 8391
# The master's /healthz (200: serving, the catalog reachable). Containers of other roles turn it
# off (docker-compose.yml: healthcheck: disable).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "/opt/scaleout/bin/scaleout.js", "healthcheck", "--timeout", "8"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/opt/scaleout/bin/scaleout.js"]
CMD ["--help"]
