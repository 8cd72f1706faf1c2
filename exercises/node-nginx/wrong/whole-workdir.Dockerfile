# expect-fail: artifact-copies,runtime
# COPY --from copies the builder's whole work directory instead of dist/: the sources and
# manifests ship, and the page lands in html/dist/, so "/" still serves nginx's stock
# welcome page instead of the app.
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app /usr/share/nginx/html
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
