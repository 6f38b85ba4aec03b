# syntax=docker/dockerfile:1
# One image for every sluice app; the command selects it:
#   node dist/apps/scanner/src/main.js | capacity-manager | transformer | cli (sluice)
# Stages: build (all dependencies, tsc) -> deps (production dependencies only) -> runtime (non-root, no npm cache).

FROM node:24.21.0-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are not needed to compile (tsc); skipping them keeps native dev tools out of the build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

FROM node:24.21.0-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24.21.0-slim AS runtime
ENV NODE_ENV=production \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Code and dependencies are owned by root and read-only for the app; it runs as the image's unprivileged `node` user.
USER node
EXPOSE 8080
CMD ["node", "dist/apps/cli/src/main.js", "--help"]
