import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from personal_data.services import retention_apply


class Command(BaseCommand):
    help = "Apply the retention periods of settings.PERSONAL_DATA_RETENTION (what the nightly task does)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be removed; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        run = retention_apply(dry_run=dry_run, trigger="command")
        self.stdout.write(json.dumps({"dry_run": dry_run, "report": run.report}, cls=DjangoJSONEncoder, indent=2))
