# Images of the HTTP gateway, the queue worker and the queue dashboard, built from one
# build stage.
#   docker build --target gateway -t ticket-intake-gateway .
#   docker build --target worker -t ticket-intake-worker .
#   docker build --target dashboard -t ticket-intake-dashboard .

# Build stage: compiles the TypeScript and the native addons, then drops dev dependencies.
FROM node:20-bookworm-slim AS build

# libxmljs2 and msgpackr-extract compile with node-gyp during `npm ci`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json tsconfig.json ./
COPY packages/shared/package.json packages/shared/
COPY services/gateway/package.json services/gateway/
COPY services/worker/package.json services/worker/
COPY services/dashboard/package.json services/dashboard/
RUN npm ci --no-audit --no-fund

COPY packages/shared packages/shared
COPY services services
COPY scripts scripts
RUN npm run build

# The empty folders let the final stages copy each workspace's node_modules
# whether or not npm needed to nest packages there.
RUN npm prune --omit=dev --no-audit --no-fund \
    && mkdir -p packages/shared/node_modules services/gateway/node_modules services/worker/node_modules \
        services/dashboard/node_modules


# Files that every service needs: production node_modules and the shared package.
FROM node:20-bookworm-slim AS runtime

ENV NODE_ENV=production
# glibc maps buffers of 128 KiB and more on their own and unmaps them when freed. By
# default it raises that limit up to 32 MiB after the first large free, and request
# bodies freed later stay in the process: the gateway's RSS grew by about 60 MiB
# over a few 15 MiB uploads without this setting.
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app

COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/shared/package.json packages/shared/
COPY --from=build /app/packages/shared/node_modules packages/shared/node_modules
COPY --from=build /app/packages/shared/dist packages/shared/dist
# The gateway validates requests against this XSD at run time.
COPY --from=build /app/packages/shared/schema packages/shared/schema


FROM runtime AS gateway

COPY --from=build /app/services/gateway/package.json services/gateway/
COPY --from=build /app/services/gateway/node_modules services/gateway/node_modules
COPY --from=build /app/services/gateway/dist services/gateway/dist

USER node
EXPOSE 8080
CMD ["node", "services/gateway/dist/main.js"]


FROM runtime AS worker

COPY --from=build /app/services/worker/package.json services/worker/
COPY --from=build /app/services/worker/node_modules services/worker/node_modules
COPY --from=build /app/services/worker/dist services/worker/dist

USER node
CMD ["node", "services/worker/dist/main.js"]


FROM runtime AS dashboard

COPY --from=build /app/services/dashboard/package.json services/dashboard/
COPY --from=build /app/services/dashboard/node_modules services/dashboard/node_modules
COPY --from=build /app/services/dashboard/dist services/dashboard/dist

USER node
EXPOSE 8090
CMD ["node", "services/dashboard/dist/main.js"]
