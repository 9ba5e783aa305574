# The deptgraph API. Neo4j runs in its own container (see docker-compose.yml), so this image
# needs neither Java nor Maven.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml requirements.lock README.md ./
COPY api ./api
COPY deptgraph ./deptgraph
COPY graph ./graph
COPY seed ./seed
COPY queries ./queries
RUN pip install -c requirements.lock .

RUN useradd --system --uid 10001 deptgraph
USER deptgraph
EXPOSE 8000
CMD ["deptgraph", "serve"]
