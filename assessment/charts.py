"""Small line charts drawn as SVG by the page's template: only the geometry is computed here."""
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 560, 150, 30


@dataclass(frozen=True)
class LineChart:
    points: str  # "x,y x,y ..." for an SVG polyline
    dots: list  # (x, y, label, value) per period
    top: float  # the value at the top of the chart
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD

    @property
    def bottom(self):
        return self.height - self.pad

    @property
    def labels_y(self):
        return self.height - self.pad / 3


def line_chart(labels, values):
    """A chart of `values` (one per label, None where unknown) from zero to their maximum."""
    known = [v for v in values if v is not None]
    top = max(known) if known and max(known) > 0 else 1
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    dots = [(round(PAD + k * step, 1), round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top, 1),
             label, v) for k, (label, v) in enumerate(zip(labels, values)) if v is not None]
    return LineChart(" ".join(f"{x},{y}" for x, y, _, _ in dots), dots, top)
