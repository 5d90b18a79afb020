# One image for every Scale Out role: migrate, master, worker (the command picks the role).
FROM node:20-bookworm-slim
WORKDIR /opt/scaleout
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY sql ./sql
COPY migrations ./migrations
COPY examples ./examples
COPY docker ./docker
ENV NODE_ENV=production
ENTRYPOINT ["node", "bin/scaleout.js"]
