# expect-fail: build
# Only package.json is copied before `npm ci`, which refuses to run without
# package-lock.json (pitfall 22).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ /usr/share/nginx/html/
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
