"""Create or update the database role the portal runs as: not the owner, and append-only on the audit trail."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg2 import sql as pgsql

AUDIT_TABLE = "audit_auditevent"


def runtime_role_statements(role: str, database: str, owner: str) -> list:
    """The SQL that gives `role` the rights of the running portal, and on the audit table INSERT and SELECT only."""
    r, db, o = pgsql.Identifier(role), pgsql.Identifier(database), pgsql.Identifier(owner)
    return [
        pgsql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, r),
        pgsql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        pgsql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(r),
        pgsql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        # Tables that later migrations create get the same rights.
        pgsql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(o, r),
        pgsql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(o, r),
        pgsql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(pgsql.Identifier(AUDIT_TABLE), r),
        pgsql.SQL("GRANT SELECT, INSERT ON TABLE {} TO {}").format(pgsql.Identifier(AUDIT_TABLE), r),
        pgsql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(r),
    ]


class Command(BaseCommand):
    help = (
        "As the owner of the database (who runs the migrations): create or update the login role the portal runs "
        "as. It may read and write the application's tables, but only INSERT and SELECT the audit trail, and owns "
        "nothing (so it can neither disable the trail's triggers nor TRUNCATE it). Run again after each migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="name of the runtime role, e.g. cqpt_app")
        parser.add_argument("--password", default="", help="set this password (LOGIN role); omit to keep it")
        parser.add_argument("--print", dest="print_sql", action="store_true", help="print the SQL, run nothing")

    def handle(self, *args, role, password, print_sql=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The runtime role exists on PostgreSQL only.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_user")
            database, owner = cursor.fetchone()
            if role == owner:
                raise CommandError("The runtime role must not be the owner that runs the migrations.")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            statements = []
            if cursor.fetchone() is None:
                statements.append(
                    pgsql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT").format(
                        pgsql.Identifier(role)
                    )
                )
            if password:
                statements.append(
                    pgsql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(
                        pgsql.Identifier(role), pgsql.Literal(password)
                    )
                )
            statements += runtime_role_statements(role, database, owner)
            raw = cursor.connection
            for statement in statements:
                text = statement.as_string(raw)
                if print_sql:
                    self.stdout.write(text + ";")
                else:
                    cursor.execute(text)
        if not print_sql:
            self.stdout.write(self.style.SUCCESS(f"Role {role}: INSERT and SELECT only on {AUDIT_TABLE}."))
