"""``flask api-tokens create|revoke|list``: tokens for ``/api/v1`` (also on the web: /admin/api-tokens)."""

from __future__ import annotations

import click
from sqlalchemy import select

from webapp.platform.cli import fail
from webapp.platform.extensions import db
from webapp.programme import api_tokens
from webapp.programme.api_tokens import API_SCOPES, ApiToken


@click.group("api-tokens")
def tokens() -> None:
    """Tokens other systems use to read /api/v1."""


@tokens.command("create")
@click.option("--name", required=True, help="Who or what uses it, e.g. 'city open-data portal'.")
@click.option("--scope", type=click.Choice(API_SCOPES), required=True,
              help="public: published results; analyst: also de-identified responses.")
def create(name: str, scope: str) -> None:
    """Print a new token once; only its hash is kept."""
    try:
        row, text = api_tokens.create(name, scope, None)
    except ValueError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"token #{row.id} ({scope}), shown only now:\n{text}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    row = db.session.get(ApiToken, token_id)
    if row is None:
        fail(f"no token #{token_id}")
    api_tokens.revoke(row)
    db.session.commit()
    click.echo(f"token #{token_id} revoked")


@tokens.command("list")
def list_tokens() -> None:
    for row in db.session.scalars(select(ApiToken).order_by(ApiToken.id)):
        state = "revoked" if row.revoked_at else "active"
        click.echo(f"#{row.id}\t{row.prefix}…\t{row.scope}\t{state}\t{row.name}")


commands = [tokens]
