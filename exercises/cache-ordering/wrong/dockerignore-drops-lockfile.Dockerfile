# expect-fail: build
# expect-finding: SW304
# The Dockerfile is the solution, but the .dockerignore written with it (beside this file, as
# dockerignore-drops-lockfile.Dockerfile.dockerignore) lists package-lock.json "because lockfiles
# are generated". The lockfile is then not in the build context, and the COPY of it stops the
# build with `"/package-lock.json": not found` although the file is right there (pitfall 24, and
# pitfall 22's docker-ignored lockfile).
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
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["node", "dist/server.mjs"]
