"""Accessible bar charts drawn as SVG on the server: no JavaScript charting library.

Each chart is an image with a <title> and a <desc> that reads its numbers out; the page shows the same numbers in
a table with a caption, which is what screen reader users and anyone copying the figures use.
"""

from dataclasses import dataclass

ROW_HEIGHT = 32
BAR_HEIGHT = 22
LABEL_WIDTH = 230
BAR_AREA = 380
VALUE_WIDTH = 90
TOP = 8
MAX_LABEL_CHARACTERS = 32


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: float
    value_text: str
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    bars: tuple[Bar, ...]

    label_width = LABEL_WIDTH
    bar_height = BAR_HEIGHT

    @property
    def width(self) -> int:
        return LABEL_WIDTH + BAR_AREA + VALUE_WIDTH

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_HEIGHT * max(len(self.bars), 1)

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 8


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARACTERS else label[: MAX_LABEL_CHARACTERS - 1] + "…"


def bar_chart(
    *, chart_id: str, title: str, rows: list[tuple[str, float]], maximum: float | None = None, suffix: str = ""
) -> BarChart:
    """A horizontal bar chart of (label, value) rows; `maximum` fixes the scale (100 for percentages)."""
    largest = maximum if maximum is not None else max((value for _label, value in rows), default=0)
    scale = BAR_AREA / largest if largest else 0
    bars = tuple(
        Bar(label, _short(label), value, _number(value) + suffix, TOP + index * ROW_HEIGHT, round(value * scale, 1))
        for index, (label, value) in enumerate(rows)
    )
    if bars:
        description = f"{title}: " + "; ".join(f"{bar.label} {bar.value_text}" for bar in bars) + "."
    else:
        description = f"{title}: no data."
    return BarChart(chart_id, title, description, bars)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
