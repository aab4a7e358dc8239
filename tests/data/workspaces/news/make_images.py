"""Draw the image of the news workspace's Dutch project (deterministic, flat colours, no text).

    python tests/data/workspaces/news/make_images.py

Writes content/slim-parkeren-damcentrum/images/plattegrond.png: a street along a canal with ten
parking bays, seven taken (red) and three free (green), and a sign at the street's start.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
W, H = 1200, 675


def main() -> None:
    img = Image.new("RGB", (W, H), (226, 232, 236))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, W, 150], fill=(120, 170, 205))  # the canal
    draw.rectangle([0, 150, W, 190], fill=(190, 190, 185))  # quay
    draw.rectangle([0, 190, W, 470], fill=(80, 84, 90))  # street
    for x in range(40, W, 110):  # centre line
        draw.rectangle([x, 325, x + 60, 335], fill=(235, 235, 235))
    for i in range(10):  # parking bays along the houses, with a sensor dot each
        x0 = 60 + i * 108
        free = i in (2, 5, 8)
        bay = [x0, 480, x0 + 96, 640]
        draw.rectangle(bay, fill=(112, 116, 122), outline=(240, 240, 240), width=4)
        if not free:
            draw.rounded_rectangle([x0 + 14, 500, x0 + 82, 620], radius=14, fill=(70, 90, 130))
        colour = (46, 160, 67) if free else (210, 45, 45)
        draw.ellipse([x0 + 33, 545, x0 + 63, 575], fill=colour, outline=(255, 255, 255), width=3)
    draw.rectangle([20, 200, 40, 300], fill=(60, 60, 60))  # the sign's post and board
    draw.rectangle([0, 200, 90, 250], fill=(20, 60, 120))
    draw.rectangle([55, 212, 80, 238], fill=(46, 160, 67))
    out = HERE / "content" / "slim-parkeren-damcentrum" / "images" / "plattegrond.png"
    img.save(out, optimize=True)


if __name__ == "__main__":
    main()
