# expect-fail: none
# expect-finding: SW303
# expect-context: dockerignore-saved-as-txt.context
# The .dockerignore was written in Notepad, which saved it as `.dockerignore.txt` (the folder
# dockerignore-saved-as-txt.context/ holds it; the test lays it over a copy of the exercise). The
# build never reads a file of that name, so none of its patterns apply and the whole folder is
# sent (pitfall 24). The exercise folder has nothing heavy in it (no node_modules, no .git), so
# nothing the checker measures breaks: the verdict is the warning alone (SW303, not graded).
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
