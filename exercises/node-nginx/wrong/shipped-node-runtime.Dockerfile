# expect-fail: artifact-copies,size,stage-separation
# Two stages, but the runtime stage is Node again: the site is served by the preview
# server (a source file), so node and npm ship to production, none of the nginx files the
# exercise expects are there, and the image is ~7x bigger than nginx's.
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:22-alpine
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY --from=build /app/serve.mjs ./serve.mjs
ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080
EXPOSE 8080
CMD ["node", "serve.mjs"]
