"""The one error the engine raises for bad input: it names the field, so a form or a JSON line can point at it."""


class InputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
