"""Create the PostgreSQL database named by DATABASE_URL when it does not exist (CI machines start empty)."""

import os

import environ
import psycopg2
from psycopg2 import sql


def main() -> None:
    config = environ.Env.db_url_config(os.environ.get("DATABASE_URL", "sqlite://"))
    if "postgresql" not in config["ENGINE"]:
        return
    params = {
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
    }
    connection = psycopg2.connect(dbname="postgres", **{key: value for key, value in params.items() if value})
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
                print(f"Created database {config['NAME']}")
    finally:
        connection.close()


if __name__ == "__main__":
    main()
