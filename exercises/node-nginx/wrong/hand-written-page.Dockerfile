# expect-fail: artifact-copies
# The built page "did not show up", so the final stage writes index.html by hand: the
# smoke test finds its title, but edits to src/index.html never reach the image.
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm test && npm run build

FROM nginx:1.25-alpine AS runtime
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ /usr/share/nginx/html/
RUN echo '<!doctype html><title>Stagewise packing list</title><h1>Stagewise packing list</h1><script src="/assets/app.js" defer></script>' \
      > /usr/share/nginx/html/index.html
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${NGINX_PORT}/healthz.txt" || exit 1
CMD ["nginx", "-g", "daemon off;"]
