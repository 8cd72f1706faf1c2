# expect-fail: artifact-copies
# `dist/*` instead of `dist/`: the glob matches every entry of dist, and for the assets folder
# COPY copies its contents, not the folder, so assets/app.js lands in the web root as app.js and
# the page's <script src="assets/app.js"> gets a 404 (pitfall 6).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/* /usr/share/nginx/html/
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
