# expect-fail: build
# The output folder was guessed from a Create React App tutorial (build/), but this
# project's build writes dist/: "/app/build": not found (pitfall 2).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/build /usr/share/nginx/html
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
