# One image for the API, the worker and the CLI; the compose file picks the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
COPY libs/core/package.json libs/core/
COPY libs/concurrency/package.json libs/concurrency/
COPY libs/config/package.json libs/config/
COPY libs/db/package.json libs/db/
COPY libs/queue/package.json libs/queue/
COPY libs/ratelimit/package.json libs/ratelimit/
COPY libs/sms/package.json libs/sms/
COPY libs/observability/package.json libs/observability/
COPY libs/testing/package.json libs/testing/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
CMD ["node", "apps/api/dist/main.js"]
