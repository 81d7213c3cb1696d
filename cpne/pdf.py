"""HTML to PDF with WeasyPrint, the fonts configured once per process (the Celery worker warms them at start)."""

_font_config = None


def font_config():
    """One FontConfiguration per process: scanning the system's fonts is the slow part of a first render."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf(font_config=font_config())
