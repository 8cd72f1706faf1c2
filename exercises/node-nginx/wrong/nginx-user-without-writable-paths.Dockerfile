# expect-fail: runtime
# "Never run as root", so the runtime switched to the image's nginx user, and the port was moved
# to 8080. But the stock image keeps /var/cache/nginx, the pid file and conf.d root-owned, so
# nginx stops at start with Permission denied (pitfall 33).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ /usr/share/nginx/html/
USER nginx
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
