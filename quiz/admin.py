"""The question bank in the Django admin: questions (edited as versions once used), the CSV import, quiz definitions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.exceptions import ActionRefused

from .forms import CsvImportForm
from .models import Attempt, Incident, Question, QuizBand, QuizBlockRule, QuizDefinition
from .services import choices_problems, make_choices, question_is_used, question_save, questions_import_csv


class QuestionAdminForm(forms.ModelForm):
    """Choices as lines of text; a line starting with « * » is a correct choice."""

    choices_text = forms.CharField(
        label=gettext_lazy("Choix (un par ligne, « * » devant les bonnes réponses)"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    class Meta:
        model = Question
        fields = ["cqpt", "block", "kind", "text", "choices_text", "explanation", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(
                ("* " if c.get("correct") else "") + c["text"] for c in self.instance.choices
            )

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in (data.get("choices_text") or "").splitlines() if line.strip()]
        texts = [line.lstrip("*").strip() for line in lines]
        correct = {i for i, line in enumerate(lines) if line.startswith("*")}
        choices = make_choices(texts, correct)
        for problem in choices_problems(data.get("kind") or "", choices):
            self.add_error("choices_text", problem)
        if len(texts) > 8:
            self.add_error("choices_text", _("Une question a au plus 8 choix."))
        block, cqpt = data.get("block"), data.get("cqpt")
        if block and cqpt and block.cqpt_id != cqpt.pk:
            self.add_error("block", _("Ce bloc n'appartient pas à ce CQPT."))
        self.instance.choices = choices
        return data


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ["text_short", "cqpt", "block", "kind", "version", "is_active"]
    list_filter = ["cqpt", "kind", "is_active"]
    search_fields = ["text"]
    list_select_related = ["cqpt", "block"]
    readonly_fields = ["version", "previous", "created_at"]
    change_list_template = "admin/quiz/question/change_list.html"

    @admin.display(description=gettext_lazy("énoncé"))
    def text_short(self, obj):
        return obj.text[:90]

    def save_model(self, request, obj, form, change):
        """Through question_save: a question already drawn in an attempt gets a new version instead of a change."""
        try:
            saved = question_save(question=obj, actor=request.user)
        except ActionRefused as refused:
            raise PermissionDenied(refused.message) from None
        if saved.pk != obj.pk:
            messages.info(
                request,
                _(
                    "Cette question a déjà servi dans un quiz : la version %(version)s est créée, l'ancienne est "
                    "retirée et reste telle quelle dans les tentatives passées."
                )
                % {"version": saved.version},
            )
        obj.pk, obj.version, obj.previous_id = saved.pk, saved.version, saved.previous_id

    def has_delete_permission(self, request, obj=None):
        # A question used in an attempt is never deleted; retire it instead.
        return super().has_delete_permission(request, obj) and (obj is None or not question_is_used(obj))

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="quiz_question_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import questions from a CSV file: every row checked; nothing imported if any row is wrong."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CsvImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = questions_import_csv(text=form.cleaned_data["file"], actor=request.user)
            if not report.errors:
                messages.success(request, _("%(count)s question(s) importée(s).") % {"count": report.created})
                return redirect(reverse("admin:quiz_question_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Importer des questions (CSV)"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return render(request, "admin/quiz/question/import.html", context, status=422 if report else 200)


class QuizBlockRuleInline(admin.TabularInline):
    model = QuizBlockRule
    extra = 0


class QuizBandInline(admin.TabularInline):
    model = QuizBand
    extra = 0


@admin.register(QuizDefinition)
class QuizDefinitionAdmin(admin.ModelAdmin):
    list_display = ["title", "cqpt", "purpose", "time_limit_minutes", "pass_mark", "multiple_rule", "is_active"]
    list_filter = ["purpose", "is_active"]
    inlines = [QuizBlockRuleInline, QuizBandInline]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Read-only: attempts change through the workflow and the services, never here."""

    list_display = ["pk", "candidate", "definition", "state", "score", "created_at"]
    list_filter = ["state", "purpose"]
    list_select_related = ["candidate", "definition"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["attempt", "kind", "reported_by", "reported_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
