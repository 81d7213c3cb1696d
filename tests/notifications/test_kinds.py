"""Every notification kind has its e-mail templates, and every template belongs to a kind."""

from pathlib import Path

from django.conf import settings

from cqpt_portal.notifications.enums import NotificationKind

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications" / "email"


def test_every_kind_has_a_subject_and_a_body():
    for kind in NotificationKind.values:
        assert (EMAIL_TEMPLATES / f"{kind}_subject.txt").exists(), kind
        assert (EMAIL_TEMPLATES / f"{kind}_body.txt").exists(), kind


def test_every_template_belongs_to_a_kind():
    names = {p.name.rsplit("_", 1)[0] for p in EMAIL_TEMPLATES.glob("*_*.txt") if not p.name.startswith("_")}
    assert names <= set(NotificationKind.values)
