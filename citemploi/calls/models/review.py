"""Instruction: reviewers assigned to a file, their conflict-of-interest declaration and their scores."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from citemploi.calls.enums import ConflictStatus, ReviewStatus
from citemploi.calls.models.application import Application
from citemploi.calls.models.call import Criterion


class ReviewerAssignment(models.Model):
    """A reviewer assigned to a file. The reviewer sees the file only once they have declared that they
    have no conflict of interest; a reviewer who belongs to the holder or to a partner structure is flagged
    automatically and cannot declare themselves free of conflict."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    auto_conflict = models.TextField(
        "conflit détecté", blank=True, help_text="Structures du dossier dont l'instructeur·rice est membre."
    )
    conflict_status = models.CharField(
        "conflit d'intérêts", max_length=20, choices=ConflictStatus.choices, default=ConflictStatus.UNDECLARED
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    declaration_comment = models.TextField("précisions", blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="unique_assignment")]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id}"


class Review(models.Model):
    assignment = models.OneToOneField(ReviewerAssignment, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    comment = models.TextField("avis général", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "évaluation"

    def __str__(self) -> str:
        return f"évaluation {self.assignment_id}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField("note", validators=[MinValueValidator(0)])
    justification = models.TextField("justification")

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="unique_score")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
