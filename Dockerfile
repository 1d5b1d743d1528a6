# One image for the api, worker, web and migrate services; the compose file picks the command.
# deps: exactly the locked packages, installed the way CI installs them (test/dockerfile.test.ts runs this stage).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npx remix vite:build web && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# Uploaded media (DATA_DIR/media, lib/media-storage.ts): owned by the user the services run as.
RUN mkdir -p /data/media && chown -R node:node /data
USER node
EXPOSE 8000 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
