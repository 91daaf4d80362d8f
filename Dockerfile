# syntax=docker/dockerfile:1
# One image for every role of Dema, chosen by the command (see "Containers and Kubernetes" in docs/operations.md):
#   start (default: all-in-one) · serve <user|product|order|analytics|payment> · gateway · web · migrate
#   · alerts export · create-admin …
# Built with `docker build -t dema .`; expected size about 750 MB: node:20-bookworm-slim (~200 MB),
# production dependencies 487 MB (measured: `npm ci --omit=dev --workspace apps/server`, Next.js is
# 306 MB of it), the web app's build and the sources. Not built on the machine Dema is developed on
# (no container engine there).

# 1. Every dependency, to build the web app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY packages packages
COPY services services
COPY apps apps
RUN npm ci --no-audit --no-fund --ignore-scripts
# The production build of the web app, fingerprinted with its sources so that `web` and `start` do
# not build again at run time.
RUN npx tsx -e "await (await import('./apps/web/serve.ts')).buildWebApp()"

# 2. Production dependencies of the server and the web app only (not the mobile app's); TypeScript
#    runs through tsx, a production dependency of apps/server.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/packages packages
COPY --from=build /app/services services
COPY --from=build /app/apps apps
RUN npm ci --omit=dev --workspace apps/server --no-audit --no-fund --ignore-scripts && npm cache clean --force \
  && rm -rf apps/mobile apps/web/.next/cache

# 3. What runs: non-root, no build tools.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=8080 \
    DEMA_DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=node:node /app /app
COPY --chown=node:node config config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080 3000
ENTRYPOINT ["node", "--import", "tsx", "--max-semi-space-size=64", "apps/server/src/cli.ts"]
CMD ["start"]
