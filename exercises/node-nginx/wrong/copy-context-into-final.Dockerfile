# expect-fail: artifact-copies
# The runtime stage copies the whole build context into the web root before the build
# output: package.json, the sources and build.mjs are now publicly downloadable.
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
WORKDIR /usr/share/nginx/html
COPY . .
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ ./
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
