# expect-fail: runtime
# The template listens on ${NGINX_HOST}:${NGINX_PORT}, but the runtime stage sets only NGINX_PORT.
# The image's entrypoint replaces only the variables that are set, so nginx reads the literal
# "${NGINX_HOST}:8080" and stops at start: host not found in "${NGINX_HOST}:8080" of the "listen"
# directive. `docker run IMAGE` fails the same way: every variable a template uses needs an ENV default.
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm test && npm run build

FROM nginx:1.25-alpine AS runtime
ENV NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ /usr/share/nginx/html/
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${NGINX_PORT}/healthz.txt" || exit 1
CMD ["nginx", "-g", "daemon off;"]
