"""One pending invitation per address and company, enforced by the database.

Before the constraint, a pending invitation past its date still said "pending" (expiry was only
computed), and the form allowed a new one to the same address: such rows become "expired".
Should two live pending rows of the same address remain (a double submit that raced past the form),
the newest stays pending and the older ones are closed as expired too.
"""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Lower
from django.utils import timezone


def expire_stale_and_duplicate_pending(apps, schema_editor):
    EmployerInvitation = apps.get_model("candidates", "EmployerInvitation")
    now = timezone.now()
    pending = EmployerInvitation.objects.filter(state="pending")
    pending.filter(expires_at__lte=now).update(state="expired")
    seen = set()
    for invitation in pending.annotate(email_key=Lower("email")).order_by("-created_at", "-pk"):
        key = (invitation.company_id, invitation.email_key)
        if key in seen:
            EmployerInvitation.objects.filter(pk=invitation.pk).update(state="expired", expires_at=now)
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0002_name_search_indexes"),
        ("catalogue", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="employerinvitation",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "En attente de réponse"),
                    ("accepted", "Acceptée"),
                    ("declined", "Déclinée"),
                    ("revoked", "Annulée par l'employeur"),
                    ("expired", "Expirée"),
                ],
                default="pending",
                max_length=16,
                verbose_name="état",
            ),
        ),
        migrations.RunPython(expire_stale_and_duplicate_pending, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="employerinvitation",
            constraint=models.UniqueConstraint(
                models.F("company"),
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("state", "pending")),
                name="invitation_one_pending_per_email",
            ),
        ),
    ]
