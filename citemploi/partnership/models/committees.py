"""Instances of the cité (Copil, Cotech, commission, working groups), their members and meetings."""

import uuid

from django.conf import settings
from django.db import models

from citemploi.partnership.enums import AttendanceStatus, CommitteeKind, CommitteeRole


class Committee(models.Model):
    """An instance of the cité's governance: Copil, Cotech, the partners' commission or a working group."""

    cite = models.ForeignKey("territory.Cite", on_delete=models.CASCADE, related_name="committees")
    kind = models.CharField("type d'instance", max_length=20, choices=CommitteeKind.choices)
    name = models.CharField("nom", max_length=200)
    purpose = models.TextField("objet", blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "instance"
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["cite", "name"], name="unique_committee_name")]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    """A person sitting on a committee, for a partner structure (or in their own name: an elected official).

    A member is either a user of the platform (name and e-mail come from the account) or a person without
    an account (name and e-mail typed in). Leaving the committee keeps the row (`left_on`) for the history.
    """

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    structure = models.ForeignKey(
        "partners.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name="structure représentée",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name="compte citemploi",
    )
    full_name = models.CharField("nom et prénom", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    function = models.CharField("fonction", max_length=200, blank=True)
    role = models.CharField(
        "rôle dans l'instance", max_length=20, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER
    )
    joined_on = models.DateField("membre depuis", null=True, blank=True)
    left_on = models.DateField("a quitté l'instance le", null=True, blank=True)

    class Meta:
        verbose_name = "membre d'instance"
        ordering = ["role", "full_name", "id"]
        indexes = [models.Index(fields=["committee", "left_on"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id and self.user is not None:
            return self.user.get_full_name() or self.user.email
        return self.full_name

    @property
    def contact_email(self) -> str:
        if self.user_id and self.user is not None:
            return self.user.email
        return self.email

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class Meeting(models.Model):
    """A meeting of a committee: when, where, agenda, attendance, decisions and minutes."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField("intitulé", max_length=200, blank=True)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    place = models.CharField("lieu", max_length=300, blank=True)
    agenda = models.TextField("ordre du jour", blank=True)
    minutes = models.TextField("compte rendu (synthèse des échanges)", blank=True)
    other_attendees = models.TextField(
        "autres participant·es", blank=True, help_text="Invité·es ponctuel·les, une personne par ligne."
    )
    cancelled = models.BooleanField("annulée", default=False)
    #: stable identifier of the calendar event (RFC 5545 UID), kept across updates
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    #: RFC 5545 SEQUENCE: raised when a sent invitation changes, so calendars replace the old one
    sequence = models.PositiveIntegerField(default=0, editable=False)
    invitations_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "réunion"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["committee", "-starts_at"])]

    def __str__(self) -> str:
        return self.title or f"{self.committee.name} du {self.starts_at:%d/%m/%Y}"

    @property
    def label(self) -> str:
        return str(self)


class MeetingAttendance(models.Model):
    """Whether a committee member attended a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField("présence", max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        ordering = ["member__full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="unique_meeting_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_status_display()}"


class Decision(models.Model):
    """A decision taken at a meeting, in the order it was taken."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField("ordre")
    text = models.TextField("décision")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class MeetingInvitation(models.Model):
    """One invitation e-mail sent to a member for a meeting (with the .ics attached)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        CommitteeMember, on_delete=models.SET_NULL, null=True, related_name="invitations"
    )
    email = models.EmailField()
    sequence = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} ({self.sent_at:%d/%m/%Y})"
