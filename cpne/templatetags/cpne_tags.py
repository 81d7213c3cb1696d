from django import template

from cpne.selectors import certificates_of_candidate

register = template.Library()


@register.inclusion_tag("cpne/_candidate_certificates.html")
def candidate_certificates(user):
    """The candidate's certificates, for their dashboard."""
    return {"certificates": list(certificates_of_candidate(user)) if user.is_authenticated else []}
