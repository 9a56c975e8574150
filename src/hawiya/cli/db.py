"""`hawiya db upgrade|downgrade|current`."""

from __future__ import annotations

import typer

from hawiya.config import get_settings
from hawiya.db import migrate

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations (honours HAWIYA_DATABASE__URL)."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url(), revision)
    typer.echo(f"database at {revision}")


@app.command("downgrade")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" empties the database)."""
    migrate.downgrade(get_settings().database_url(), revision)
    typer.echo(f"database at {revision}")
