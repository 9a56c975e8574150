"""The `hawiya` command."""

from __future__ import annotations

import typer

from hawiya.cli import admins, aml, db, identity, keys, ops, outbox, serve, tenants, webhooks

app = typer.Typer(
    help="Hawiya: self-hostable Vlens-compatible eKYC and e-contracting server.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)
app.command("demo")(serve.demo)
app.add_typer(db.app, name="db")
app.add_typer(tenants.app, name="tenant")
app.add_typer(keys.app, name="apikey")
app.add_typer(admins.app, name="admin")
app.add_typer(ops.jwt_app, name="jwt")
app.add_typer(ops.audit_app, name="audit")
app.add_typer(ops.jobs_app, name="jobs")
app.add_typer(outbox.app, name="outbox")
app.add_typer(identity.app, name="identity")
app.add_typer(aml.app, name="aml")
app.add_typer(webhooks.app, name="webhook")


def main() -> None:
    app()
