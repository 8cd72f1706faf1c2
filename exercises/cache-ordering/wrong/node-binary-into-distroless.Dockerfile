# expect-fail: runtime
# To get a smaller image, the node binary is copied out of the Node image into distroless static.
# node is dynamically linked: it needs the C library and libstdc++ of the image it came from, and
# distroless static has neither, so the container cannot start:
# "exec /usr/local/bin/node: no such file or directory" (pitfall 40).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm test && npm run build

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=node:22-alpine /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=build /app/dist ./dist
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/node", "dist/server.mjs"]
