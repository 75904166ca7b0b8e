"""The spec's errors: a status (404 unknown resource, 403 bad api_key, 400 anything else) and descriptions."""


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = list(descriptions) or ["Error."]


def not_found(description: str) -> Open311Error:
    return Open311Error(404, description)


def forbidden(description: str) -> Open311Error:
    return Open311Error(403, description)


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *descriptions)
