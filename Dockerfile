# One image for every app; the command picks the app (npm run start:api, start:worker).
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
# npm run healthcheck: scripts/healthcheck.mjs exits 0 on a 2xx.
COPY scripts ./scripts
USER node
EXPOSE 8000 8002 8003 5555
# The api's readiness; compose (and k8s) check each app on its own port.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=5 CMD npm run healthcheck -- http://127.0.0.1:8000/health/ready
CMD ["npm", "run", "start:api"]
