# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source on install, which needs a C++ toolchain and Python.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# bubblewrap isolates the repository's commands and needs user namespaces. Docker's default seccomp
# profile allows them only with CAP_SYS_ADMIN, so run this image with a profile that allows unshare(2)
# and clone(2) with CLONE_NEWUSER (or `--security-opt seccomp=unconfined`, plus
# `--security-opt apparmor=unconfined` on AppArmor hosts). Otherwise MAGIC_SANDBOX=auto falls back to
# plain processes and logs why. prlimit, which applies the resource limits, comes with util-linux.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git bubblewrap util-linux ripgrep ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 MAGIC_WORK_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini passes SIGTERM to Node, which then gives running runs MAGIC_SHUTDOWN_GRACE_SECONDS.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--", "node", "bin/magic.js"]
CMD ["serve"]
