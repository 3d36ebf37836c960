# Switchyard: one image for every role (ROLE=all|web|worker).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY prisma.config.ts tsconfig.json vite.config.ts ./
COPY prisma ./prisma
COPY src ./src
COPY console ./console
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
USER node
EXPOSE 3000
# Migrations are idempotent and take Prisma's advisory lock, so every replica may run them.
CMD ["sh", "-c", "node dist/bin/migrate.js && exec node dist/main.js"]
