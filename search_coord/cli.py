"""Command line: account management for administrators, and the demo search.

    flask --app search_coord users create NAME --role admin --display-name "..."   (asks for the password)
    search-coord users create NAME ...                                              (same, installed script)
    search-coord --instance PATH users list                                         (another instance folder)
    search-coord where                                                              (its folder and database)

The CLI builds the app as run.py does (search_coord.create_app): the same instance folder (--instance, else
$SEARCH_COORD_INSTANCE_PATH, else ./instance of the checkout), so the same config.py, secret key and database.
"""
from __future__ import annotations

import os
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


@click.command("where")
def where_cmd():
    """Print the instance folder and the database this command (and a server started the same way) uses."""
    click.echo(f"instance folder: {current_app.instance_path}")
    click.echo(f"database: {current_app.config['DATABASE_URL']}")


streets_cli = AppGroup("streets", help="Street layers (OpenStreetMap extracts or GeoJSON road centrelines).")


@streets_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", help="What the layer is called (default: the file name).")
@click.option("--replace", type=int, help="The id of the layer this one replaces.")
@click.option("--user", help="Load as this dispatcher or admin (default: the first admin).")
def streets_load_cmd(path, name, replace, user):
    """Load a street layer from an .osm.pbf / .osm extract (e.g. from download.geofabrik.de or extract.bbbike.org)
    or a GeoJSON of road centrelines."""
    import pathlib

    from .core.errors import SearchCoordError
    from .services.streets import layers

    svc = current_app.extensions["search_coord"]
    try:
        view = layers.load_layer(svc, layers.station_actor(svc, user), pathlib.Path(path).read_bytes(), name=name,
                                 filename=pathlib.Path(path).name, replace=replace)
    except SearchCoordError as exc:
        raise click.ClickException(str(exc)) from None
    c = view["counts"]
    if view["duplicate"]:
        click.echo(f"already loaded as layer {view['id']} ({view['name']})")
        return
    click.echo(f"layer {view['id']} {view['name']}: {c['ways']} ways ({c['walkable']} walkable, {c['drivable']} "
               f"drivable), {c['blocks']} blocks, {c['addresses']} addresses, bbox {view['bbox']}; "
               f"loaded in {view['seconds']['total']:.2f} s")


@streets_cli.command("list")
@click.option("--all", "everything", is_flag=True, help="Also the layers that were replaced.")
def streets_list_cmd(everything):
    from .services.streets import layers

    svc = current_app.extensions["search_coord"]
    for x in layers.list_layers(svc, layers.station_actor(svc), everything):
        click.echo(f"{x['id']:>4}  {x['name']:<30} {x['source']:<8} {'active' if x['active'] else 'replaced'}  "
                   f"{x['counts']['blocks']} blocks  bbox {x['bbox']}")


def register(app) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cmd)
    app.cli.add_command(streets_cli)
    app.cli.add_command(where_cmd)


def main(argv=None) -> None:
    from flask.cli import FlaskGroup

    from . import create_app

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0].startswith("--instance"):
        # the folder run.py --instance was given: set before the app is built, as run.py does
        path = args[0].split("=", 1)[1] if "=" in args[0] else (args[1] if len(args) > 1 else "")
        if not path:
            raise SystemExit("--instance needs a folder")
        args = args[1:] if "=" in args[0] else args[2:]
        os.environ["SEARCH_COORD_INSTANCE_PATH"] = os.path.abspath(path)
    FlaskGroup(create_app=lambda: create_app())(args)
