# expect-fail: build
# The stage is called "build" but COPY --from says "biuld": an unknown name is taken for an
# image on a registry, so the build tries to pull "biuld" and fails (pitfall 3).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=biuld /app/dist /usr/share/nginx/html
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
