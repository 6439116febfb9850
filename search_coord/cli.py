"""Command line: account management for administrators, and the demo search.

    flask --app search_coord users create NAME --role admin --display-name "..."   (asks for the password)
    search-coord users create NAME ...                                              (same, installed script)
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .core.errors import ValidationError

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "dispatcher", "officer"]), required=True)
@click.option("--display-name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_cmd(username, role, display_name, password):
    """Create an account (the first admin is made this way)."""
    from .services import users

    try:
        user = users.create_user(current_app.extensions["search_coord"], None,
                                 {"username": username, "role": role, "display_name": display_name,
                                  "password": password})
    except ValidationError as exc:
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.errors.items())) from None
    click.echo(f"created {user['role']} {user['username']} (id {user['id']})")


@users_cli.command("list")
def list_users_cmd():
    from .services import users
    from .services.context import Actor

    for u in users.list_users(current_app.extensions["search_coord"], Actor(0, "admin")):
        click.echo(f"{u['id']:>4}  {u['username']:<20} {u['role']:<10} {'active' if u['active'] else 'inactive'}")


@click.command("demo")
def demo_cmd():
    """Load the demo search (Changyang, Fangshan) and print its logins."""
    from .services import demo

    click.echo(demo.describe(demo.load(current_app.extensions["search_coord"])))


def register(app) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cmd)


def main() -> None:
    from flask.cli import FlaskGroup

    from . import create_app

    FlaskGroup(create_app=lambda: create_app())(sys.argv[1:])
