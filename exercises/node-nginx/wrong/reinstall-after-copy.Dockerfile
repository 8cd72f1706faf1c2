# expect-fail: cache-ordering
# A deps stage installs from the manifests alone, right; but the build stage copies the
# sources and runs npm ci again "to be sure": that second install re-runs on every edit.
FROM node:22-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM deps AS build
COPY . .
RUN npm ci && npm test && npm run build

FROM nginx:1.25-alpine AS runtime
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ /usr/share/nginx/html/
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${NGINX_PORT}/healthz.txt" || exit 1
CMD ["nginx", "-g", "daemon off;"]
