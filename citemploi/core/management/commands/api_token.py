"""`citemploi api_token EMAIL`: create, list or revoke the API tokens of a user.

    citemploi api_token awa@example.org [--membership ID] [--name NAME]   # prints a new token, once
    citemploi api_token awa@example.org --list [--membership ID]
    citemploi api_token awa@example.org --revoke PREFIX

A token acts with one membership (cité, structure, role) of its holder. The new token alone goes to the
standard output, so that it can be piped into a secret store; explanations go to the error output.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from citemploi.accounts.models import User
from citemploi.api import tokens
from citemploi.core.context import ActingContext
from citemploi.core.models import ApiToken
from citemploi.partners.models import Membership


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


class Command(BaseCommand):
    help = "Crée, liste ou révoque les jetons d'API d'un·e utilisateur·rice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="Adresse e-mail du compte.")
        parser.add_argument(
            "--membership", type=int, help="Identifiant du rôle (cité, structure) avec lequel le jeton agit."
        )
        parser.add_argument(
            "--name", default="", help="Nom du jeton (par exemple le logiciel qui l'utilise)."
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--list", action="store_true", help="Liste les jetons du compte.")
        action.add_argument("--revoke", metavar="PREFIX", help="Révoque le jeton qui commence ainsi.")

    def handle(self, *args, **options) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"Aucun compte n'a l'adresse {email}.")
        if options["list"]:
            self._list(user, options["membership"])
        elif options["revoke"] is not None:
            self._revoke(user, options["revoke"])
        else:
            self._create(user, options["membership"], options["name"])

    def _memberships(self, user: User):
        return Membership.objects.filter(user=user, is_active=True).select_related("cite", "structure")

    def _create(self, user: User, membership_id: int | None, name: str) -> None:
        memberships = self._memberships(user)
        if membership_id is not None:
            chosen = memberships.filter(pk=membership_id).first()
            if chosen is None:
                raise CommandError(f"Le rôle {membership_id} n'est pas un rôle actif de {user.email}.")
        else:
            candidates = list(memberships)
            if not candidates:
                raise CommandError(
                    f"{user.email} n'a aucun rôle actif : un jeton agit toujours avec un rôle."
                )
            if len(candidates) > 1:
                listing = "\n".join(f"  --membership {m.pk}  {m}" for m in candidates)
                raise CommandError(
                    f"{user.email} a plusieurs rôles actifs ; choisissez celui du jeton :\n{listing}"
                )
            chosen = candidates[0]
        ctx = ActingContext(user=user, membership=chosen, via="cli")
        try:
            new = tokens.create_token(ctx=ctx, name=name)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stderr.write(
            f"Jeton « {new.token.name or 'sans nom'} » créé pour {user.email} ({chosen}).\n"
            "Conservez-le maintenant dans un coffre-fort de secrets : il ne sera plus jamais affiché."
        )
        self.stdout.write(new.raw)

    def _list(self, user: User, membership_id: int | None) -> None:
        qs = ApiToken.objects.filter(membership__user=user).select_related(
            "membership__cite", "membership__structure"
        )
        if membership_id is not None:
            qs = qs.filter(membership_id=membership_id)
        rows = list(qs.order_by("-created_at", "-id"))
        if not rows:
            self.stdout.write(f"Aucun jeton pour {user.email}.")
            return
        self.stdout.write("préfixe       | nom | rôle | créé le | dernière utilisation | révoqué le")
        for t in rows:
            self.stdout.write(
                f"cte_{t.prefix} | {t.name or '—'} | {t.membership} | {_when(t.created_at)} | "
                f"{_when(t.last_used_at)} | {_when(t.revoked_at) if t.revoked_at else 'actif'}"
            )

    def _revoke(self, user: User, prefix: str) -> None:
        prefix = prefix.strip().removesuffix("…")
        prefix = prefix.removeprefix("cte_")
        if not prefix:
            raise CommandError("Donnez le début du jeton à révoquer (par exemple cte_AbCd1234).")
        matches = list(
            ApiToken.objects.active()
            .filter(membership__user=user, prefix__startswith=prefix[:8])
            .select_related("membership")
        )
        # LIKE ignores case on SQLite; tokens are case-sensitive.
        matches = [t for t in matches if t.prefix.startswith(prefix[:8])]
        if not matches:
            raise CommandError(f"Aucun jeton actif de {user.email} ne commence par cte_{prefix}.")
        if len(matches) > 1:
            raise CommandError(
                f"Plusieurs jetons actifs commencent par cte_{prefix} : donnez les 8 caractères qui suivent « cte_ »."
            )
        token = matches[0]
        ctx = ActingContext(user=user, membership=token.membership, via="cli")
        tokens.revoke_token(ctx=ctx, token=token)
        self.stdout.write(f"Jeton cte_{token.prefix} ({token.name or 'sans nom'}) révoqué.")
