# The deptgraph API. Neo4j runs in its own container (see docker-compose.yml), so this image
# needs neither Java nor Maven.

# GraphiQL and Cytoscape.js, from package-lock.json: served by the app itself, no CDN.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DEPTGRAPH_ASSETS_DIR=/app/node_modules DEPTGRAPH_QUERIES_DIR=/app/queries
WORKDIR /app

COPY pyproject.toml requirements.lock README.md LICENSE ./
COPY api ./api
COPY deptgraph ./deptgraph
COPY domain ./domain
COPY graph ./graph
COPY seed ./seed
RUN pip install -c requirements.lock .
COPY queries ./queries
COPY --from=assets /assets/node_modules ./node_modules

RUN useradd --system --uid 10001 deptgraph
USER deptgraph
EXPOSE 8000
CMD ["deptgraph", "serve"]
