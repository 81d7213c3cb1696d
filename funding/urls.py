from django.urls import path

from .views import officer, partners, statements

app_name = "funding"
urlpatterns = [
    path("", officer.dashboard, name="dashboard"),
    path("forfaits/", officer.fee_list, name="fees"),
    path("forfaits/<int:pk>/", officer.fee_detail, name="fee"),
    path("forfaits/<int:pk>/dispositif/", officer.fee_scheme_change, name="fee_scheme"),
    path("forfaits/<int:pk>/attestation.pdf", partners.attestation_pdf, name="attestation"),
    path("evaluations/<int:pk>/dispositif/", officer.evaluation_scheme_change, name="evaluation_scheme"),
    path("releves/", officer.statement_list, name="statements"),
    path("releves/<int:pk>/", statements.statement_detail, name="statement"),
    path("releves/<int:pk>/action/", statements.statement_transition, name="statement_transition"),
    path("releves/<int:pk>/releve.pdf", statements.statement_pdf, name="statement_pdf"),
    path("releves/<int:pk>/releve.csv", statements.statement_csv, name="statement_csv"),
    path("organisme/", partners.organisation_fees, name="organisation"),
    path("employeur/", partners.employer_fees, name="employer"),
]
