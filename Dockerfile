# One image for every app; the command picks the app. Each app runs as
# `node <its main.js>` (no npm, no shell in between) so `docker stop`'s SIGTERM
# reaches node: the worker's warm shutdown, the others' graceful close.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM deps AS build
COPY . .
RUN npm run build

FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# scripts/healthcheck.mjs: without a url it probes /health/ready of whichever
# app listens here (or HEALTHCHECK_URL), so this fits all four apps.
COPY scripts ./scripts
USER node
EXPOSE 8000 8002 8003 5555
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=5 CMD ["node", "scripts/healthcheck.mjs"]
# The api; the others: node dist/apps/<app>/apps/<app>/src/main.js (see
# package.json's start:* scripts).
CMD ["node", "dist/apps/api/apps/api/src/main.js"]
