"""Every URL pattern of a URLconf with its full name and view, for the tests that sweep them all."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str | None
    pattern: str
    parameters: tuple[str, ...]
    callback: object

    @property
    def access(self) -> dict:
        """What the view declares about who may use it (see borough.identity.permissions)."""
        declared = getattr(self.callback, "borough_access", None)
        if declared is not None:
            return declared
        view_class = getattr(self.callback, "cls", None)
        if view_class is not None:  # a DRF view: its permission classes are its declaration
            from borough.identity.permissions import IsPublic, IsTenantMember

            classes = set(getattr(view_class, "permission_classes", ()))
            if IsPublic in classes:
                return {"kind": "public"}
            if IsTenantMember in classes:
                return {
                    "kind": "api",
                    "roles": getattr(view_class, "required_roles", ()),
                    "scopes": getattr(view_class, "required_scopes", ()),
                }
        return {}


def walk(urlconf: str) -> Iterator[Route]:
    yield from _walk(get_resolver(urlconf).url_patterns, "", None)


def _walk(patterns, prefix: str, namespace: str | None) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            full = prefix + str(entry.pattern)
            parameters = tuple(sorted(set(entry.pattern.regex.groupindex) | set(_prefix_parameters(prefix))))
            yield Route(name, full, parameters, entry.callback)


def _prefix_parameters(prefix: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", prefix)
