# expect-fail: none
# expect-finding: SW211
# A production-dependencies stage, as a tutorial showed it: `FROM node:22` (Debian, glibc) runs
# `npm ci --omit=dev`, and its node_modules is copied into the node:22-alpine runtime (musl).
# Native add-ons (bcrypt, sharp, sqlite3) compiled in the Debian stage then fail on Alpine with
# "Error relocating ...: __snprintf_chk: symbol not found" (pitfall 19). This service has no
# native add-on, and the offline alpine image is glibc, not musl, so it runs here: the mismatch is
# judged from the Dockerfile (SW211, a warning).
FROM node:22 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm test && npm run build

FROM node:22-alpine AS runtime
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-v* \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["node", "dist/server.mjs"]
