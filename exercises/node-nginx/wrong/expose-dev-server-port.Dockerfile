# expect-fail: none
# expect-finding: SW505
# Moved from the Node dev server to nginx, but EXPOSE 3000 (and the README's -p 3000:3000) stayed:
# nginx listens on NGINX_PORT=8080, so `docker run -p 3000:3000` gets "connection refused"
# (pitfall 37). EXPOSE is metadata only: the checker runs the image on the port variable and it
# answers, so the verdict is the warning alone (SW505, not graded).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm test && npm run build

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ /usr/share/nginx/html/
EXPOSE 3000
CMD ["nginx", "-g", "daemon off;"]
