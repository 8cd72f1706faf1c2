# expect-fail: none
# expect-finding: SW011
# The tests got a stage of their own, "to keep the build stage clean", but nothing depends on it:
# the final stage copies from build, so BuildKit never builds the test stage, and a broken test
# still gives a green build (pitfall 27). The tests pass today, so nothing else fails: the
# verdict is the warning alone (SW011, not graded).
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM build AS test
RUN npm test

FROM nginx:1.25-alpine
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
COPY nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/dist/ /usr/share/nginx/html/
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
