"""Front-end files served by the app itself (no CDN: pages work offline).

Only the files listed here are served from the npm packages installed by `make` (package.json,
pinned in package-lock.json); the rest of node_modules is never exposed. GraphiQL's page is
`static/graphiql.html` with the named operations of `queries/` in it (`graphiql_page`).
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from api.queries import NamedQuery

# URL path under /assets/ → file under node_modules/
VENDOR_FILES = {
    "graphiql/graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql/graphiql.min.css": "graphiql/graphiql.min.css",
    "react/react.production.min.js": "react/umd/react.production.min.js",
    "react-dom/react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "cytoscape/cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
}


def vendor_endpoint(assets_dir: Path):  # type: ignore[no-untyped-def]
    async def vendor(request: Request) -> Response:
        path = request.path_params["path"]
        if path not in VENDOR_FILES:
            return JSONResponse({"error": f"no asset named {path}"}, status_code=404)
        file = assets_dir / VENDOR_FILES[path]
        if not file.is_file():
            return JSONResponse(
                {"error": f"{file} is missing: the front-end packages are not installed. "
                 "Run `npm ci` in the project (make run / make test do)."},
                status_code=503,
            )  # fmt: skip
        return FileResponse(file, headers={"cache-control": "public, max-age=86400"})

    return vendor


# Files of the explorer page, served from api/static under /static/. The explorer is ES modules
# (explorer.js starts it and imports the others; editor.js beside it, with its own), loaded by name.
STATIC_FILES = {
    "explorer.js": "application/javascript",
    "state.js": "application/javascript",
    "i18n.js": "application/javascript",
    "api.js": "application/javascript",
    "layout.js": "application/javascript",
    "panels.js": "application/javascript",
    "router.js": "application/javascript",
    "search.js": "application/javascript",
    "live.js": "application/javascript",
    "explorer.css": "text/css",
    "editor.js": "application/javascript",
    "editor-i18n.js": "application/javascript",
    "inputs.js": "application/javascript",
    "forms.js": "application/javascript",
    "editor.css": "text/css",
    "graphiql.js": "application/javascript",
}


def static_endpoint(static_dir: Path):  # type: ignore[no-untyped-def]
    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return JSONResponse({"error": f"no file named {name}"}, status_code=404)
        return FileResponse(static_dir / name, media_type=STATIC_FILES[name], headers={"cache-control": "no-cache"})

    return static


def graphiql_page(template: str, queries: list[NamedQuery]) -> str:
    """The GraphiQL page, with the named operations of `queries/` to pick from."""
    listed = [
        {"name": q.name, "file": q.file, "vi": q.question_vi, "en": q.question_en, "text": q.text} for q in queries
    ]
    # Inside a <script> element: keep "</script>" and friends from closing it.
    payload = json.dumps(listed, ensure_ascii=False).replace("<", "\\u003c")
    return template.replace("__QUERIES__", payload)
