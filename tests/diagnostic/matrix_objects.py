"""Objects for the permission matrix: the screens of the diagnostic take the code of the cité's QPV, a year
and an export format."""


def url_kwargs(name, keys, world, person):
    if not name.startswith("diagnostic:"):
        return None
    kwargs = {}
    if "code" in keys:
        kwargs["code"] = world.qpv.code
    if "year" in keys:
        kwargs["year"] = 2024
    if "fmt" in keys:
        kwargs["fmt"] = "csv"
    return kwargs
