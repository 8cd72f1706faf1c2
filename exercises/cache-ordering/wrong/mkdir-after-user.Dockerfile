# expect-fail: build
# The service should write its logs to /app/logs, so the folder is made, but after USER node:
# WORKDIR made /app as root, and the node user may not create anything in it:
# "mkdir: can't create directory '/app/logs': Permission denied" (pitfall 31).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm test && npm run build

FROM node:22-alpine AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=build /app/dist ./dist
USER node
RUN mkdir -p /app/logs
EXPOSE 8080
ENTRYPOINT ["node", "dist/server.mjs"]
