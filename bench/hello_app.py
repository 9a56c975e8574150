"""The bare baseline: a one-route FastAPI app, served by uvicorn with the settings `hawiya serve`
uses (see src/hawiya/cli/serve.py), so that Hawiya's figures can be read as a fraction of it.

    python bench/hello_app.py --host 127.0.0.1 --port 8001
"""

from __future__ import annotations

import argparse
import logging
import sys

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)

    # What hawiya.logs.configure_logging does at HAWIYA_LOG_LEVEL=WARNING: one stderr handler on
    # the root logger, uvicorn's access log switched off.
    handler = logging.StreamHandler(sys.stderr)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True

    # The same uvicorn.Config arguments as `hawiya serve` (loop and http left on "auto", so uvloop
    # and httptools are used when installed, exactly as for Hawiya).
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=30,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
