# The table of the database cache that takes over the rate-limit counters when Redis is down
# (cqpt_portal.cache.FallbackCache). It lives here because this app is the portal's outbox, the
# other part that must keep working without Redis; createcachetable does nothing when the table
# exists or no CACHES entry uses the database backend (development without Redis).

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_delivery_lease_and_address_recipients"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
