"""``giamsat db upgrade``: bring the database schema to the newest migration."""

from __future__ import annotations

import typer

from giamsat.cli.common import console
from giamsat.db.migrate import current_revision, head_revision, upgrade
from giamsat.db.session import Database
from giamsat.settings import load_settings

db_app = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_cmd() -> None:
    """Nâng cấu trúc cơ sở dữ liệu lên phiên bản mới nhất (Alembic)."""
    settings = load_settings()
    db = Database(settings.db_url)
    before = current_revision(db.engine)
    upgrade(db.engine)
    console.print(f"Cơ sở dữ liệu {db.engine.url.render_as_string(hide_password=True)}: "
                  f"{before or 'trống'} → {head_revision()}")


def register(app: typer.Typer) -> None:
    """Add the ``db`` commands."""
    app.add_typer(db_app, name="db")
