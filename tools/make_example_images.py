"""Draw the illustrations of the example projects in content/.

    python tools/make_example_images.py

Writes content/slimme-verlichting/images/impressie.png (a night street with LED
lamp posts) and content/smart-bins/images/sensor.png (underground containers with
fill-level sensors). Flat colours, no text, 1600x900. The output is deterministic:
no randomness, and the same Pillow version gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

W, H = 1600, 900
SCALE = 2  # draw at twice the size, then downsample for smooth edges
ROOT = Path(__file__).resolve().parent.parent


def s(*values: float) -> list[int]:
    """Scale coordinates to the supersampled canvas."""
    return [round(v * SCALE) for v in values]


def pts(points: list[tuple[float, float]]) -> list[tuple[int, int]]:
    return [(round(x * SCALE), round(y * SCALE)) for x, y in points]


def bands(draw: ImageDraw.ImageDraw, top: tuple, bottom: tuple, y0: int, y1: int, n: int) -> None:
    """A sky in n flat bands from colour `top` to colour `bottom`."""
    step = (y1 - y0) / n
    for i in range(n):
        t = i / (n - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.rectangle(s(0, y0 + i * step, W, y0 + (i + 1) * step + 1), fill=colour)


def finish(img: Image.Image, path: Path) -> None:
    small = img.resize((W, H), Image.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    small.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


# --------------------------------------------------------------------------- lighting


def night_street() -> Image.Image:
    img = Image.new("RGB", (W * SCALE, H * SCALE), (16, 24, 52))
    d = ImageDraw.Draw(img)
    bands(d, (12, 18, 44), (44, 58, 104), 0, 620, 8)

    # Stars at fixed places, and the moon.
    stars = [
        (90, 60),
        (210, 140),
        (330, 50),
        (470, 110),
        (610, 40),
        (760, 95),
        (905, 35),
        (1010, 130),
        (1150, 60),
        (1290, 120),
        (1420, 45),
        (1530, 150),
        (560, 190),
        (1220, 200),
    ]
    for x, y in stars:
        d.ellipse(s(x - 2, y - 2, x + 2, y + 2), fill=(222, 228, 245))
    # Crescent moon: a disc minus an offset disc, drawn through a mask.
    mask = Image.new("L", img.size, 0)
    m = ImageDraw.Draw(mask)
    m.ellipse(s(1320, 70, 1420, 170), fill=255)
    m.ellipse(s(1350, 58, 1450, 158), fill=0)
    img.paste((244, 238, 214), (0, 0), mask)

    # Canal houses with stepped and bell gables.
    houses = [
        (0, 180, 300, "step"),
        (180, 150, 250, "bell"),
        (330, 170, 320, "step"),
        (500, 140, 270, "flat"),
        (640, 190, 230, "bell"),
        (830, 160, 300, "step"),
        (990, 150, 260, "flat"),
        (1140, 180, 310, "bell"),
        (1320, 170, 280, "step"),
        (1490, 150, 250, "flat"),
    ]
    ground = 620
    wall = [(52, 46, 70), (62, 52, 78), (46, 42, 66)]
    for i, (x, w, h, kind) in enumerate(houses):
        top = ground - h
        colour = wall[i % len(wall)]
        d.rectangle(s(x, top, x + w, ground), fill=colour)
        cx = x + w / 2
        if kind == "step":
            for k in range(3):
                inset = 18 + k * (w / 2 - 30) / 3
                d.rectangle(
                    s(x + inset, top - 22 * (k + 1), x + w - inset, top - 22 * k), fill=colour
                )
        elif kind == "bell":
            d.polygon(
                pts(
                    [
                        (x + 14, top),
                        (cx - 26, top - 50),
                        (cx, top - 78),
                        (cx + 26, top - 50),
                        (x + w - 14, top),
                    ]
                ),
                fill=colour,
            )
            d.ellipse(s(cx - 30, top - 70, cx + 30, top - 30), fill=colour)
        else:
            d.rectangle(s(x - 6, top - 10, x + w + 6, top), fill=(38, 34, 56))
        # Windows: a fixed pattern of lit and dark ones.
        cols = max(2, int(w // 60))
        rows = max(2, int((h - 80) // 70))
        gap = w / cols
        for r in range(rows):
            for c in range(cols):
                wx = x + gap * c + gap / 2 - 14
                wy = top + 30 + r * 70
                lit = (i * 7 + r * 3 + c * 5) % 4 == 0
                d.rectangle(
                    s(wx, wy, wx + 28, wy + 42), fill=(250, 214, 128) if lit else (30, 30, 50)
                )
        # A door on the ground floor.
        d.rectangle(s(cx - 18, ground - 70, cx + 18, ground), fill=(28, 24, 40))

    # Pavement, kerb, street, canal edge.
    d.rectangle(s(0, ground, W, 700), fill=(70, 72, 90))
    d.rectangle(s(0, 700, W, 712), fill=(110, 112, 128))
    d.rectangle(s(0, 712, W, H), fill=(38, 40, 56))
    for x in range(40, W, 220):
        d.rectangle(s(x, 800, x + 110, 812), fill=(96, 98, 112))

    # Light cones and pools: translucent warm white on a separate layer.
    glow = Image.new("RGBA", img.size, (0, 0, 0, 0))
    g = ImageDraw.Draw(glow)
    posts = [(220, 1.0), (620, 1.0), (1020, 1.0), (1420, 0.55)]  # the last one dimmed
    head_y = 430
    for x, level in posts:
        spread = 170 * (0.75 + 0.25 * level)
        alpha = round(70 * level)
        g.polygon(
            pts(
                [(x - 34, head_y + 14), (x + 34, head_y + 14), (x + spread, 760), (x - spread, 760)]
            ),
            fill=(255, 226, 160, alpha),
        )
        g.ellipse(
            s(x - spread - 20, 720, x + spread + 20, 800), fill=(255, 230, 170, round(60 * level))
        )
    img = Image.alpha_composite(img.convert("RGBA"), glow).convert("RGB")
    d = ImageDraw.Draw(img)

    # Lamp posts: slim masts with a flat LED head.
    for x, level in posts:
        d.rectangle(s(x - 6, head_y, x + 6, 706), fill=(24, 26, 36))
        d.rectangle(s(x - 14, 690, x + 14, 708), fill=(24, 26, 36))
        d.rounded_rectangle(
            s(x - 40, head_y - 6, x + 40, head_y + 14), radius=6 * SCALE, fill=(24, 26, 36)
        )
        bright = round(200 + 55 * level)
        d.rectangle(
            s(x - 32, head_y + 10, x + 32, head_y + 16), fill=(bright, bright - 20, bright - 70)
        )

    # A tree, and someone walking home in the light.
    d.rectangle(s(812, 560, 826, 702), fill=(34, 30, 40))
    d.ellipse(s(750, 470, 890, 590), fill=(32, 58, 56))
    d.ellipse(s(770, 440, 870, 530), fill=(38, 68, 62))
    px, py = 700, 690  # feet on the pavement
    dark = (22, 24, 34)
    d.line(s(px, py - 70, px - 16, py), fill=dark, width=10 * SCALE)
    d.line(s(px, py - 70, px + 18, py - 2), fill=dark, width=10 * SCALE)
    d.rounded_rectangle(s(px - 16, py - 140, px + 16, py - 62), radius=12 * SCALE, fill=dark)
    d.line(s(px + 8, py - 128, px + 28, py - 84), fill=dark, width=8 * SCALE)
    d.ellipse(s(px - 14, py - 172, px + 14, py - 144), fill=dark)
    return img


# --------------------------------------------------------------------------- smart bins


def containers() -> Image.Image:
    img = Image.new("RGB", (W * SCALE, H * SCALE), (206, 230, 244))
    d = ImageDraw.Draw(img)
    bands(d, (176, 214, 238), (222, 238, 246), 0, 470, 6)

    # Sun and a few flat clouds.
    d.ellipse(s(1360, 60, 1460, 160), fill=(255, 214, 102))
    for cx, cy, w in [(260, 120, 220), (820, 80, 180), (1120, 170, 160)]:
        d.ellipse(s(cx - w / 2, cy - 24, cx + w / 2, cy + 24), fill=(250, 252, 255))
        d.ellipse(s(cx - w / 4, cy - 50, cx + w / 4, cy + 10), fill=(250, 252, 255))

    # Houses in the background.
    for i, x in enumerate(range(-40, W, 230)):
        h = 170 + (i * 37) % 90
        d.rectangle(s(x, 470 - h, x + 200, 470), fill=(232, 214, 196) if i % 2 else (214, 196, 180))
        d.polygon(
            pts([(x - 10, 470 - h), (x + 100, 470 - h - 70), (x + 210, 470 - h)]),
            fill=(170, 96, 80),
        )
        for wx in (x + 30, x + 120):
            d.rectangle(s(wx, 470 - h + 40, wx + 50, 470 - h + 100), fill=(150, 184, 206))

    # Pavement, then soil in cross-section.
    d.rectangle(s(0, 470, W, 520), fill=(196, 196, 200))
    for x in range(0, W, 80):
        d.line(s(x, 470, x, 520), fill=(176, 176, 182), width=2 * SCALE)
    d.rectangle(s(0, 520, W, H), fill=(150, 112, 82))
    d.rectangle(s(0, 520, W, 540), fill=(128, 94, 68))

    # Three containers: inlet column above ground, tank below with its fill level.
    fills = [(0.25, (92, 184, 92)), (0.6, (240, 178, 60)), (0.92, (222, 82, 70))]
    for i, (level, status) in enumerate(fills):
        x = 330 + i * 470
        # Underground tank.
        d.rounded_rectangle(s(x - 150, 540, x + 150, 860), radius=12 * SCALE, fill=(92, 98, 108))
        d.rounded_rectangle(s(x - 136, 552, x + 136, 848), radius=8 * SCALE, fill=(236, 238, 240))
        top = 848 - (848 - 580) * level
        d.rectangle(s(x - 136, top, x + 136, 848), fill=(118, 128, 112))
        for k in range(int(level * 6)):
            by = 830 - k * 42
            for j in range(-2, 3):
                bx = x + j * 50 + (k % 2) * 22
                if by - 20 > top and abs(bx - x) < 120:
                    d.ellipse(s(bx - 20, by - 18, bx + 20, by + 18), fill=(70, 78, 72))
        # Sensor under the lid, with its beam down to the waste.
        d.rounded_rectangle(s(x + 50, 556, x + 110, 580), radius=6 * SCALE, fill=(40, 44, 52))
        d.ellipse(s(x + 72, 562, x + 88, 578), fill=status)
        d.line(s(x + 80, 580, x + 80, top - 6), fill=status, width=4 * SCALE)
        # Inlet column above ground.
        d.rounded_rectangle(s(x - 55, 300, x + 55, 480), radius=14 * SCALE, fill=(62, 110, 84))
        d.rounded_rectangle(s(x - 38, 330, x + 38, 380), radius=8 * SCALE, fill=(40, 76, 58))
        d.rectangle(s(x - 90, 470, x + 90, 488), fill=(120, 124, 132))
        # Wireless arcs and a status dot on top.
        for r in (30, 52, 74):
            d.arc(
                s(x - r, 260 - r, x + r, 260 + r), start=225, end=315, fill=status, width=6 * SCALE
            )
        d.ellipse(s(x - 10, 250, x + 10, 270), fill=status)

    return img


def main() -> None:
    finish(night_street(), ROOT / "content/slimme-verlichting/images/impressie.png")
    finish(containers(), ROOT / "content/smart-bins/images/sensor.png")


if __name__ == "__main__":
    main()
